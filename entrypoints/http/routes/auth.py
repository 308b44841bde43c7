import inspect

from litestar import Router, delete, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from application.auth.end_session import EndSession, EndSessionHandler
from application.auth.list_sessions import ListSessions, ListSessionsHandler
from application.auth.log_in import LogIn, LogInHandler
from application.auth.log_out import LogOut, LogOutHandler
from application.auth.log_out_everywhere import LogOutEverywhere, LogOutEverywhereHandler
from application.auth.login_sessions import MfaRequired
from application.auth.refresh_session import RefreshSession, RefreshSessionHandler
from application.auth.register_privately import RegisterPrivatelyHandler
from application.auth.register_user import RegisterUser, RegisterUserHandler
from application.service_accounts.issue_service_token import IssueServiceTokenHandler
from domain.errors import FieldError, ValidationFailedError
from entrypoints.http.auth import OPTIONAL_BEARER, optional_principal_of, principal_of
from entrypoints.http.bodies import decode_form, decode_json
from entrypoints.http.client_credentials import (
    CLIENT_CREDENTIALS,
    TOKEN_GRANTS,
    client_credentials_command,
    unsupported_grant,
)
from entrypoints.http.client_ip import request_context
from entrypoints.http.openapi import log_in_operation
from entrypoints.http.route_parts import (
    AnyRequest,
    BearerRequest,
    OptionalBearerRequest,
    bearer_route,
    caller_and_context,
    documented,
    use_case_route,
)
from entrypoints.http.schemas import (
    AcceptedResponse,
    LogInForm,
    LogInRequest,
    LogInResponse,
    MfaRequiredResponse,
    RefreshRequest,
    RegisterRequest,
    SessionResponse,
    TokenPairResponse,
    UserResponse,
)
from entrypoints.http.security import is_form, require_json_body
from entrypoints.http.service_account_schemas import ClientCredentialsForm, ServiceTokenResponse
from entrypoints.http.throttling import SENSITIVE


def _registration(request: AnyRequest, data: RegisterRequest) -> RegisterUser:
    return RegisterUser(
        email=data.email,
        username=data.username,
        password=data.password,
        full_name=data.full_name,
        context=request_context(request),
    )


@post(
    "/auth/register",
    **use_case_route(RegisterUserHandler, status_code=201, json_body=True, opt=SENSITIVE, errors=(409,)),
)
async def register(
    request: AnyRequest, data: JSONBody[RegisterRequest], register_user: NamedDependency[RegisterUserHandler]
) -> UserResponse:
    return UserResponse.of(await register_user.handle(_registration(request, data)))


REGISTRATION_ACCEPTED = AcceptedResponse(
    detail="If the address can be used, the account is created and a verification link is on its way."
)


@post(
    "/auth/register",
    **use_case_route(
        RegisterPrivatelyHandler, status_code=HTTP_202_ACCEPTED, json_body=True, opt=SENSITIVE, errors=(409,)
    ),
)
async def register_privately(
    request: AnyRequest, data: JSONBody[RegisterRequest], register_privately: NamedDependency[RegisterPrivatelyHandler]
) -> AcceptedResponse:
    await register_privately.handle(_registration(request, data))
    return REGISTRATION_ACCEPTED


async def _log_in(request: AnyRequest, log_in: NamedDependency[LogInHandler]) -> LogInResponse | MfaRequiredResponse:
    identifier: str | None
    device_token: str | None
    if is_form(request):
        form = await decode_form(request, LogInForm)
        identifier, password = form.username, form.password
        device_token = form.device_token if isinstance(form.device_token, str) else None
    else:
        await require_json_body(request, request.route_handler)
        body = decode_json(await request.body(), LogInRequest)
        identifier = body.email if body.email is not None else body.username
        password, device_token = body.password, body.device_token
    if not identifier:
        raise ValidationFailedError([FieldError("email", "Give an email or a username.")])
    command = LogIn(
        identifier=identifier, password=password, device_token=device_token, context=request_context(request)
    )
    result = await log_in.handle(command)
    if isinstance(result, MfaRequired):
        return MfaRequiredResponse.of(result)
    return LogInResponse.of_login(result)


_LOGIN_DOC = (
    (inspect.getdoc(LogInHandler) or "")
    + '\n\nBody: JSON `{"email" or "username", "password", "device_token"?}`, or the OAuth2 password form '
    "`username=<email or username>&password=...` (application/x-www-form-urlencoded), which may carry "
    "`device_token` too. The answer carries the `device_token` to present at the next login from this device.\n\n"
    "Two answers are possible with 200: the token pair, or, on an account with a second factor, "
    '`{"mfa_required": true, "mfa_token", "methods"}`; then POST /auth/login/mfa with the `mfa_token` and a '
    "code gives the token pair."
)
# 401 for an unknown account and a wrong password alike; 403 only after a correct password.
_LOGIN_OPTIONS = documented(SENSITIVE, json_body=True, errors=(401, 403))
_LOGIN_OPTIONS["operation_class"] = log_in_operation(LogInRequest, LogInForm)


@post("/auth/login", status_code=HTTP_200_OK, opt=SENSITIVE, description=_LOGIN_DOC, **_LOGIN_OPTIONS)
async def log_in_route(
    request: AnyRequest, log_in: NamedDependency[LogInHandler]
) -> LogInResponse | MfaRequiredResponse:
    return await _log_in(request, log_in)


_TOKEN_DOC = (
    "The OAuth2 token endpoint.\n\n"
    "**Client credentials grant** (RFC 6749 section 4.4): the form `grant_type=client_credentials` and "
    "`scope`? (space-separated), the client authenticated by HTTP Basic (`client_id:client_secret`) or by the "
    "form fields `client_id` and `client_secret` (not both: 400 `invalid_request`). Answers "
    '`{"access_token", "token_type": "bearer", "expires_in", "scope"}`, no refresh token. Errors carry the '
    "OAuth2 `error`: 401 `invalid_client` with `WWW-Authenticate: Basic`, 400 `invalid_scope`, 400 "
    "`unsupported_grant_type`.\n\n"
    + (inspect.getdoc(IssueServiceTokenHandler) or "")
    + "\n\n**Password grant**: an alias of POST /auth/login (the form with `grant_type=password` or without "
    "`grant_type`, or JSON).\n\n" + _LOGIN_DOC
)
_TOKEN_OPTIONS = documented(SENSITIVE, json_body=True, errors=(401, 403))
_TOKEN_OPTIONS["operation_class"] = log_in_operation(LogInRequest, LogInForm, ClientCredentialsForm)


@post("/token", status_code=HTTP_200_OK, opt=SENSITIVE, description=_TOKEN_DOC, **_TOKEN_OPTIONS)
async def token_route(
    request: AnyRequest,
    log_in: NamedDependency[LogInHandler],
    issue_service_token: NamedDependency[IssueServiceTokenHandler],
) -> LogInResponse | MfaRequiredResponse | ServiceTokenResponse:
    if is_form(request):
        grant = (await request.form()).get("grant_type")
        if grant is not None and grant not in TOKEN_GRANTS:
            raise unsupported_grant()
        if grant == CLIENT_CREDENTIALS:
            command = await client_credentials_command(request)
            return ServiceTokenResponse.of(await issue_service_token.handle(command))
    return await _log_in(request, log_in)


@post("/auth/refresh", **use_case_route(RefreshSessionHandler, status_code=HTTP_200_OK, json_body=True, errors=(401,)))
async def refresh(
    request: AnyRequest, data: JSONBody[RefreshRequest], refresh_session: NamedDependency[RefreshSessionHandler]
) -> TokenPairResponse:
    pair = await refresh_session.handle(
        RefreshSession(refresh_token=data.refresh_token, context=request_context(request))
    )
    return TokenPairResponse.of(pair)


# Logging out also tells the browser to drop what it kept for this origin.
CLEAR_SITE_DATA = [ResponseHeader(name="Clear-Site-Data", value='"cache", "cookies", "storage"')]


@post(
    "/auth/logout",
    response_headers=CLEAR_SITE_DATA,
    **use_case_route(LogOutHandler, status_code=HTTP_204_NO_CONTENT, json_body=True, opt=OPTIONAL_BEARER),
)
async def log_out(
    request: OptionalBearerRequest, data: JSONBody[RefreshRequest], log_out: NamedDependency[LogOutHandler]
) -> None:
    principal = optional_principal_of(request)
    session_id = principal.session_id if principal else None
    await log_out.handle(
        LogOut(refresh_token=data.refresh_token, access_session_id=session_id, context=request_context(request))
    )


@post(
    "/auth/logout-all",
    response_headers=CLEAR_SITE_DATA,
    **bearer_route(LogOutEverywhereHandler, status_code=HTTP_204_NO_CONTENT),
)
async def log_out_all(request: BearerRequest, log_out_everywhere: NamedDependency[LogOutEverywhereHandler]) -> None:
    principal, context = caller_and_context(request)
    await log_out_everywhere.handle(LogOutEverywhere(user_id=principal.user_id, context=context))


@get("/auth/sessions", **bearer_route(ListSessionsHandler))
async def sessions(
    request: BearerRequest, list_sessions: NamedDependency[ListSessionsHandler]
) -> list[SessionResponse]:
    principal = principal_of(request)
    views = await list_sessions.handle(ListSessions(user_id=principal.user_id, current_session_id=principal.session_id))
    return [SessionResponse.of(view) for view in views]


@delete(
    "/auth/sessions/{session_id:str}",
    **bearer_route(EndSessionHandler, status_code=HTTP_204_NO_CONTENT, errors=(404,)),
)
async def end_session(
    request: BearerRequest, session_id: FromPath[str], end_session: NamedDependency[EndSessionHandler]
) -> None:
    principal, context = caller_and_context(request)
    command = EndSession(user_id=principal.user_id, session_id=session_id[:64], context=context)
    await end_session.handle(command)


def auth_router(*, registration_privacy: bool) -> Router:
    """The auth routes; registration answers 201 / 409, or 202 alike when `registration_privacy`."""
    registration = register_privately if registration_privacy else register
    return Router(
        path="/",
        route_handlers=[registration, log_in_route, token_route, refresh, log_out, log_out_all, sessions, end_session],
        tags=["auth"],
    )
