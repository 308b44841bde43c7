"""The decorator keyword arguments of the route modules: what each helper sets, and what it leaves to Litestar."""

from __future__ import annotations

from typing import ClassVar

from litestar import post

from domain.sessions import Access
from entrypoints.http.auth import ACCESS_OPT, BEARER
from entrypoints.http.route_parts import bearer_route, use_case_route
from entrypoints.http.security import require_json_body
from entrypoints.http.throttling import SENSITIVE


class _DoSomethingHandler:
    """Does something.

    In two paragraphs."""


async def _route() -> None:
    return None


def test_a_use_case_route_is_described_by_the_use_case_and_keeps_the_methods_defaults() -> None:
    handler = post("/x", **use_case_route(_DoSomethingHandler))(_route)

    assert handler.description == "Does something.\n\nIn two paragraphs."
    assert handler.status_code == 201
    assert handler.guards is None
    assert handler.opt == {}


def test_a_use_case_route_takes_a_status_the_json_guard_and_its_opt() -> None:
    handler = post("/x", **use_case_route(_DoSomethingHandler, status_code=204, json_body=True, opt=SENSITIVE))(_route)

    assert handler.status_code == 204
    assert list(handler.guards or []) == [require_json_body]
    assert handler.opt == SENSITIVE


def test_a_bearer_route_is_marked_for_a_bearer_token() -> None:
    handler = post("/x", **bearer_route(_DoSomethingHandler, status_code=204))(_route)

    assert handler.opt == {**BEARER, ACCESS_OPT: Access.ACCOUNT}
    assert handler.status_code == 204
    assert handler.description == "Does something.\n\nIn two paragraphs."


class _ReadTasksHandler:
    """Reads tasks."""

    access: ClassVar[Access] = Access.TASKS_READ


def test_a_bearer_route_carries_what_its_use_case_needs_of_the_caller() -> None:
    handler = post("/x", **bearer_route(_ReadTasksHandler))(_route)

    assert handler.opt == {**BEARER, ACCESS_OPT: Access.TASKS_READ}
