import inspect
from typing import Any

from litestar import Request, Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from application.auth.end_session import EndSession, EndSessionHandler
from application.auth.list_sessions import ListSessions, ListSessionsHandler
from application.auth.log_in import LogIn, LogInHandler
from application.auth.log_out import LogOut, LogOutHandler
from application.auth.log_out_everywhere import LogOutEverywhere, LogOutEverywhereHandler
from application.auth.refresh_session import RefreshSession, RefreshSessionHandler
from application.auth.register_user import RegisterUser, RegisterUserHandler
from domain.errors import FieldError, ValidationFailedError
from domain.sessions import Principal
from entrypoints.http.auth import BEARER, OPTIONAL_BEARER, optional_principal_of, principal_of
from entrypoints.http.bodies import decode_form, decode_json
from entrypoints.http.client_ip import request_context
from entrypoints.http.schemas import (
    LogInRequest,
    RefreshRequest,
    RegisterRequest,
    SessionResponse,
    TokenPairResponse,
    UserResponse,
)
from entrypoints.http.security import is_form, require_json_body
from entrypoints.http.throttling import SENSITIVE


@post(
    "/auth/register",
    status_code=201,
    guards=[require_json_body],
    opt=SENSITIVE,
    description=inspect.getdoc(RegisterUserHandler),
)
async def register(
    request: Request[Any, Any, Any],
    data: JSONBody[RegisterRequest],
    register_user: NamedDependency[RegisterUserHandler],
) -> UserResponse:
    user = await register_user.handle(
        RegisterUser(
            email=data.email,
            username=data.username,
            password=data.password,
            full_name=data.full_name,
            context=request_context(request),
        )
    )
    return UserResponse.of(user)


async def _log_in(request: Request[Any, Any, Any], log_in: NamedDependency[LogInHandler]) -> TokenPairResponse:
    if is_form(request):
        form = await decode_form(request, LogInRequest)
        identifier = form.username or form.email
        password = form.password
    else:
        await require_json_body(request, request.route_handler)
        body = decode_json(await request.body(), LogInRequest)
        identifier = body.email if body.email is not None else body.username
        password = body.password
    if not identifier:
        raise ValidationFailedError([FieldError("email", "Give an email or a username.")])
    pair = await log_in.handle(LogIn(identifier=identifier, password=password, context=request_context(request)))
    return TokenPairResponse.of(pair)


_LOGIN_DOC = (
    (inspect.getdoc(LogInHandler) or "")
    + '\n\nBody: JSON `{"email" or "username", "password"}`, or the OAuth2 password form '
    "`username=<email or username>&password=...` (application/x-www-form-urlencoded)."
)


@post("/auth/login", status_code=HTTP_200_OK, opt=SENSITIVE, description=_LOGIN_DOC)
async def log_in_route(request: Request[Any, Any, Any], log_in: NamedDependency[LogInHandler]) -> TokenPairResponse:
    return await _log_in(request, log_in)


@post(
    "/token",
    status_code=HTTP_200_OK,
    opt=SENSITIVE,
    description="OAuth2 `tokenUrl` alias of POST /auth/login.\n\n" + _LOGIN_DOC,
)
async def token_route(request: Request[Any, Any, Any], log_in: NamedDependency[LogInHandler]) -> TokenPairResponse:
    return await _log_in(request, log_in)


@post(
    "/auth/refresh",
    status_code=HTTP_200_OK,
    guards=[require_json_body],
    description=inspect.getdoc(RefreshSessionHandler),
)
async def refresh(
    request: Request[Any, Any, Any],
    data: JSONBody[RefreshRequest],
    refresh_session: NamedDependency[RefreshSessionHandler],
) -> TokenPairResponse:
    pair = await refresh_session.handle(
        RefreshSession(refresh_token=data.refresh_token, context=request_context(request))
    )
    return TokenPairResponse.of(pair)


@post(
    "/auth/logout",
    status_code=HTTP_204_NO_CONTENT,
    guards=[require_json_body],
    opt=OPTIONAL_BEARER,
    description=inspect.getdoc(LogOutHandler),
)
async def log_out(
    request: Request[Principal | None, Any, Any],
    data: JSONBody[RefreshRequest],
    log_out: NamedDependency[LogOutHandler],
) -> None:
    principal = optional_principal_of(request)
    session_id = principal.session_id if principal else None
    await log_out.handle(
        LogOut(refresh_token=data.refresh_token, access_session_id=session_id, context=request_context(request))
    )


@post(
    "/auth/logout-all",
    status_code=HTTP_204_NO_CONTENT,
    opt=BEARER,
    description=inspect.getdoc(LogOutEverywhereHandler),
)
async def log_out_all(
    request: Request[Principal, Any, Any],
    log_out_everywhere: NamedDependency[LogOutEverywhereHandler],
) -> None:
    principal = principal_of(request)
    await log_out_everywhere.handle(LogOutEverywhere(user_id=principal.user_id, context=request_context(request)))


@get("/auth/sessions", opt=BEARER, description=inspect.getdoc(ListSessionsHandler))
async def sessions(
    request: Request[Principal, Any, Any], list_sessions: NamedDependency[ListSessionsHandler]
) -> list[SessionResponse]:
    principal = principal_of(request)
    views = await list_sessions.handle(ListSessions(user_id=principal.user_id, current_session_id=principal.session_id))
    return [SessionResponse.of(view) for view in views]


@delete(
    "/auth/sessions/{session_id:str}",
    status_code=HTTP_204_NO_CONTENT,
    opt=BEARER,
    description=inspect.getdoc(EndSessionHandler),
)
async def end_session(
    request: Request[Principal, Any, Any],
    session_id: FromPath[str],
    end_session: NamedDependency[EndSessionHandler],
) -> None:
    principal = principal_of(request)
    command = EndSession(user_id=principal.user_id, session_id=session_id[:64], context=request_context(request))
    await end_session.handle(command)


auth_router = Router(
    path="/",
    route_handlers=[register, log_in_route, token_route, refresh, log_out, log_out_all, sessions, end_session],
    tags=["auth"],
)
