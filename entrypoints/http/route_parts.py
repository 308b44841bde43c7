"""What the route modules declare alike: the request types, the decorator's keyword arguments and the caller.

The decorator helpers run once, when a route is declared. The caller helpers read what a route
read itself before (`request.user`, `request_context`): the routes are benchmarked, and a request
does no more work than with all of it written out at each route.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypedDict

from litestar import Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation, SecurityRequirement
from litestar.params import QueryParameter
from litestar.types import Guard

from application.tasks.list_tasks import MAX_OFFSET
from domain.audit import RequestContext
from domain.ids import UserId
from domain.paging import MAX_PAGE_SIZE, Page
from domain.sessions import Access, Principal
from entrypoints.http.auth import ACCESS_OPT, BEARER, BEARER_OPT
from entrypoints.http.client_ip import request_context
from entrypoints.http.openapi import ContractOperation, problem_responses
from entrypoints.http.security import require_json_body
from entrypoints.http.throttling import THROTTLE_OPT

AnyRequest = Request[Any, Any, Any]
"""The request of a route that needs no caller."""
BearerRequest = Request[Principal, Any, Any]
"""The request of a route marked `BEARER`: its `user` is the caller."""
OptionalBearerRequest = Request[Principal | None, Any, Any]
"""The request of a route marked `OPTIONAL_BEARER`: its `user` is the caller, or None."""

_JSON_BODY: list[Guard] = [require_json_body]

DEFAULT_PAGE_SIZE = Page().limit
PageLimit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"Page size, 1 to {MAX_PAGE_SIZE}")]
PageOffset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many items to skip")]

BEARER_SECURITY: list[SecurityRequirement] = [{"BearerToken": []}]
# An empty requirement makes the bearer token optional (logout).
_SECURITY = {"required": BEARER_SECURITY, "optional": [{}, *BEARER_SECURITY]}


class OpenAPIOptions(TypedDict):
    """The keyword arguments of a Litestar route decorator that `documented` gives."""

    responses: dict[int, ResponseSpec]
    security: list[SecurityRequirement]
    operation_class: type[Operation]


class RouteOptions(OpenAPIOptions, total=False):
    """The keyword arguments of a Litestar route decorator that `use_case_route` gives."""

    status_code: int
    guards: list[Guard]
    opt: Mapping[str, Any]
    description: str | None


def documented(opt: Mapping[str, Any], *, json_body: bool = False, errors: Iterable[int] = ()) -> OpenAPIOptions:
    """The OpenAPI side of a route's options: its security, and every error it can answer (`errors`,
    plus what its `opt` and a JSON body imply) as problem documents."""
    statuses = {*errors, 503}
    if json_body:
        statuses |= {400, 413, 422}
    if opt.get(THROTTLE_OPT) != "exempt":
        statuses.add(429)
    bearer = str(opt.get(BEARER_OPT))
    if bearer == "required":
        statuses.add(401)
    return OpenAPIOptions(
        responses=problem_responses(statuses),
        security=_SECURITY.get(bearer, []),
        operation_class=ContractOperation,
    )


def use_case_route(
    use_case: type,
    *,
    status_code: int | None = None,
    json_body: bool = False,
    opt: Mapping[str, Any] | None = None,
    errors: Iterable[int] = (),
) -> RouteOptions:
    """The decorator keyword arguments of a route that serves `use_case`: its docstring as the
    route's description, `status_code` when not the method's default, the JSON content-type guard
    for a route with a JSON body (`json_body`), `opt` when given, and `documented`'s."""
    documentation = documented(opt or {}, json_body=json_body, errors=errors)
    options = RouteOptions(
        description=inspect.getdoc(use_case),
        responses=documentation["responses"],
        security=documentation["security"],
        operation_class=documentation["operation_class"],
    )
    if status_code is not None:
        options["status_code"] = status_code
    if json_body:
        options["guards"] = _JSON_BODY
    if opt is not None:
        options["opt"] = opt
    return options


def bearer_route(
    use_case: type, *, status_code: int | None = None, json_body: bool = False, errors: Iterable[int] = ()
) -> RouteOptions:
    """`use_case_route` of a route that needs a caller (marked `BEARER`), with what the use case
    declares it needs of its caller (its `access`; the account itself when it declares nothing), for
    `Principal.may` to judge: only the task use cases let an API key in."""
    access = getattr(use_case, "access", Access.ACCOUNT)
    opt = {**BEARER, ACCESS_OPT: access}
    # 403: an API key out of its scopes (or on any route of the account itself).
    return use_case_route(use_case, status_code=status_code, json_body=json_body, opt=opt, errors={*errors, 403})


def caller_id(request: BearerRequest) -> UserId:
    """The user id of the caller of a route marked `BEARER`."""
    return request.user.user_id


def caller_and_context(request: BearerRequest) -> tuple[Principal, RequestContext]:
    """The caller of a route marked `BEARER`, and where its request came from (for the audit trail)."""
    return request.user, request_context(request)
