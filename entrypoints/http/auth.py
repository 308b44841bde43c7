"""Bearer authentication: a middleware that turns the access token into the request's principal.

Routes that need a caller are marked with `opt=BEARER` (or `OPTIONAL_BEARER`) and read the
principal from `request.user`. A middleware rather than a route dependency: Litestar resolves two
or more dependencies of one route concurrently, in an anyio task group, and a bearer dependency
beside the route's use case cost about a tenth of a request's CPU (bench/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from application.auth.authenticate import Authenticate, AuthenticateHandler
from application.auth.identify_caller import IdentifyCaller, IdentifyCallerHandler, is_api_key
from domain.errors import TokenInvalidError
from domain.sessions import Access, Principal, PrincipalKind
from entrypoints.http.client_ip import request_context
from entrypoints.http.problems import bearer_challenge, problem

BEARER_OPT = "bearer"
ACCESS_OPT = "access"
"""Route `opt`: the `Access` its use case needs of the caller (set by `route_parts.bearer_route`)."""
API_KEY_HEADER = "x-api-key"
BEARER = {BEARER_OPT: "required"}
"""Route `opt` of every route that needs a valid bearer token (401 with a challenge otherwise)."""
OPTIONAL_BEARER = {BEARER_OPT: "optional"}
"""Route `opt` of routes where a bearer token is optional (logout): an invalid one is ignored."""


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (or else of `X-API-Key`), or None when
    there is neither header."""
    header = request.headers.get("authorization")
    if header is None:
        return request.headers.get(API_KEY_HEADER)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise problem(401, "invalid_token", "The token is not valid.", headers=bearer_challenge("invalid_token"))
    return token.strip()


async def authenticated(
    request: Request[Any, Any, Any], identify: IdentifyCallerHandler, access: Access | None
) -> Principal:
    """The caller of the request: the principal of its access token, or of its API key for a use
    case needing `access` (None: any); 401 with a Bearer challenge without a valid one, 403 for a key
    out of its scopes."""
    token = bearer_token(request)
    if token is None:
        raise problem(401, "unauthorized", "Authentication is required.", headers=bearer_challenge())
    if is_api_key(token):
        # Only a key is judged by where it comes from; an access token needs no client address.
        context = partial(request_context, request)
        return await identify.handle(IdentifyCaller(credential=token, access=access, context=context))
    return await identify.tokens.handle(Authenticate(access_token=token, access=access))


def principal_of(request: Request[Principal, Any, Any]) -> Principal:
    """The caller of a route marked `BEARER`."""
    return request.user


def optional_principal_of(request: Request[Principal | None, Any, Any]) -> Principal | None:
    """The caller of a route marked `OPTIONAL_BEARER`, or None."""
    return request.user


class BearerAuthMiddleware(ASGIMiddleware):
    """Sets `scope["user"]` on routes marked `BEARER` (the principal of an access token or an API
    key, or 401 with a Bearer challenge; 403 for a key the route's use case does not admit)
    and `OPTIONAL_BEARER` (the principal of a valid token, else None); other routes, and OPTIONS
    requests (CORS preflights), pass untouched. It runs after the throttling middleware, so a
    throttled client gets 429 before its token is looked at, as before."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, identify: Callable[[], IdentifyCallerHandler], authenticate: Callable[[], AuthenticateHandler]):
        self._identify, self._authenticate = identify, authenticate

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        opt = scope["route_handler"].opt
        kind = opt.get(BEARER_OPT)
        if scope.get("method") == "OPTIONS":
            kind = None  # CORS preflights never carry credentials; the route's own methods do
        if kind == "required":
            access = opt.get(ACCESS_OPT, Access.ACCOUNT)
            scope["user"] = await authenticated(Request(scope), self._identify(), access)
        elif kind == "optional":
            scope["user"] = await self._optional(Request(scope))
        await next_app(scope, receive, send)

    async def _optional(self, request: Request[Any, Any, Any]) -> Principal | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or is_api_key(token.strip()):
            # An API key is never the caller of an optional-bearer route (logout ends sessions).
            return None
        try:
            principal = await self._authenticate().handle(Authenticate(access_token=token.strip()))
        except TokenInvalidError:
            # An invalid optional token proves nothing; the request goes on without it.
            return None
        # Nor is a service account's token (it has no session to end).
        return principal if principal.kind is PrincipalKind.SESSION else None
