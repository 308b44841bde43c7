"""What the route modules declare alike: the request types, the decorator's keyword arguments and the caller.

The decorator helpers run once, when a route is declared. The caller helpers read what a route
read itself before (`request.user`, `request_context`): the routes are benchmarked, and a request
does no more work than with all of it written out at each route.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, TypedDict

from litestar import Request
from litestar.types import Guard

from domain.audit import RequestContext
from domain.ids import UserId
from domain.sessions import Principal
from entrypoints.http.auth import BEARER
from entrypoints.http.client_ip import request_context
from entrypoints.http.security import require_json_body

AnyRequest = Request[Any, Any, Any]
"""The request of a route that needs no caller."""
BearerRequest = Request[Principal, Any, Any]
"""The request of a route marked `BEARER`: its `user` is the caller."""
OptionalBearerRequest = Request[Principal | None, Any, Any]
"""The request of a route marked `OPTIONAL_BEARER`: its `user` is the caller, or None."""

_JSON_BODY: list[Guard] = [require_json_body]


class RouteOptions(TypedDict, total=False):
    """The keyword arguments of a Litestar route decorator that `use_case_route` gives."""

    status_code: int
    guards: list[Guard]
    opt: Mapping[str, Any]
    description: str | None


def use_case_route(
    use_case: type, *, status_code: int | None = None, json_body: bool = False, opt: Mapping[str, Any] | None = None
) -> RouteOptions:
    """The decorator keyword arguments of a route that serves `use_case`: its docstring as the
    route's description, `status_code` when not the method's default, the JSON content-type guard
    for a route with a JSON body (`json_body`), and `opt` when given."""
    options = RouteOptions(description=inspect.getdoc(use_case))
    if status_code is not None:
        options["status_code"] = status_code
    if json_body:
        options["guards"] = _JSON_BODY
    if opt is not None:
        options["opt"] = opt
    return options


def bearer_route(use_case: type, *, status_code: int | None = None, json_body: bool = False) -> RouteOptions:
    """`use_case_route` of a route that needs a valid bearer token (marked `BEARER`)."""
    return use_case_route(use_case, status_code=status_code, json_body=json_body, opt=BEARER)


def caller_id(request: BearerRequest) -> UserId:
    """The user id of the caller of a route marked `BEARER`."""
    return request.user.user_id


def caller_and_context(request: BearerRequest) -> tuple[Principal, RequestContext]:
    """The caller of a route marked `BEARER`, and where its request came from (for the audit trail)."""
    return request.user, request_context(request)
