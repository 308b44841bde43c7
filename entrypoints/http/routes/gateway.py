import inspect
from typing import Any

from litestar import Request, Response, Router, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency

from application.auth.authenticate import AuthenticateHandler
from application.auth.identify_caller import IdentifyCallerHandler
from domain.sessions import PrincipalKind
from entrypoints.http.auth import BEARER, authenticated
from entrypoints.http.route_parts import documented
from entrypoints.http.throttling import EXEMPT

_VERIFY_DOC = (
    "Forward-auth check for a reverse proxy (nginx `auth_request`, Traefik `forwardAuth`, Envoy `ext_authz`): "
    "204 with `X-Auth-User-Id`, `X-Auth-Session-Id` and `X-Auth-Roles` for a valid, unrevoked bearer token, "
    "or `X-Auth-User-Id` (the key's owner), `X-Auth-Key-Id` and `X-Auth-Scopes` (space-separated) for a valid "
    "API key (`Authorization: Bearer bst_...` or `X-API-Key`), or `X-Auth-User-Id` (the service account's id) "
    "and `X-Auth-Scopes` for a service account's token; 401 with `WWW-Authenticate` otherwise. "
    "No database or network call is made (a key's lookup is cached per process).\n\n"
    + (inspect.getdoc(AuthenticateHandler) or "")
)


_IDENTITY_HEADERS = [
    ResponseHeader(name=name, value="", description=description, documentation_only=True)
    for name, description in (
        ("X-Auth-User-Id", "The user id (`sub`) of the token"),
        ("X-Auth-Session-Id", "Its session id (`sid`)"),
        ("X-Auth-Roles", "The user's roles, comma-separated"),
        ("X-Auth-Key-Id", "For an API key: its id (then there is no session)"),
        ("X-Auth-Scopes", "For an API key or a service account's token: its scopes, space-separated"),
    )
]


# Exempt from throttling, it checks the bearer token itself (401): documented as a bearer route.
@get(
    "/auth/verify",
    status_code=204,
    opt=EXEMPT,
    description=_VERIFY_DOC,
    response_headers=_IDENTITY_HEADERS,
    **documented({**EXEMPT, **BEARER}),
)
async def verify(
    request: Request[Any, Any, Any], identify_caller: NamedDependency[IdentifyCallerHandler]
) -> Response[None]:
    principal = await authenticated(request, identify_caller, None)
    if principal.kind is PrincipalKind.SERVICE:
        headers = {"X-Auth-User-Id": principal.user_id, "X-Auth-Scopes": " ".join(sorted(principal.scopes))}
    elif principal.kind is PrincipalKind.API_KEY:
        headers = {
            "X-Auth-User-Id": principal.user_id,
            "X-Auth-Key-Id": principal.session_id,
            "X-Auth-Scopes": " ".join(sorted(principal.scopes)),
        }
    else:
        headers = {
            "X-Auth-User-Id": principal.user_id,
            "X-Auth-Session-Id": principal.session_id,
            "X-Auth-Roles": ",".join(principal.roles),
        }
    return Response(None, status_code=204, headers=headers)


gateway_router = Router(path="/", route_handlers=[verify], tags=["gateway"])
