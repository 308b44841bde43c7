import inspect
from typing import Any

from litestar import Request, Response, Router, get
from litestar.di import NamedDependency

from application.auth.authenticate import AuthenticateHandler
from entrypoints.http.auth import authenticated
from entrypoints.http.throttling import EXEMPT

_VERIFY_DOC = (
    "Forward-auth check for a reverse proxy (nginx `auth_request`, Traefik `forwardAuth`, Envoy `ext_authz`): "
    "204 with `X-Auth-User-Id`, `X-Auth-Session-Id` and `X-Auth-Roles` for a valid, unrevoked bearer token; "
    "401 with `WWW-Authenticate` otherwise. No database or network call is made.\n\n"
    + (inspect.getdoc(AuthenticateHandler) or "")
)


@get("/auth/verify", status_code=204, opt=EXEMPT, description=_VERIFY_DOC)
async def verify(request: Request[Any, Any, Any], authenticate: NamedDependency[AuthenticateHandler]) -> Response[None]:
    principal = await authenticated(request, authenticate)
    headers = {
        "X-Auth-User-Id": principal.user_id,
        "X-Auth-Session-Id": principal.session_id,
        "X-Auth-Roles": ",".join(principal.roles),
    }
    return Response(None, status_code=204, headers=headers)


gateway_router = Router(path="/", route_handlers=[verify], tags=["gateway"])
