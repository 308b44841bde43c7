from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.auth.begin_mfa_passkey import BeginMfaPasskey, BeginMfaPasskeyHandler
from application.auth.begin_passkey_login import BeginPasskeyLogin, BeginPasskeyLoginHandler
from application.auth.log_in_with_passkey import LogInWithPasskey, LogInWithPasskeyHandler
from application.passkeys.begin_passkey_registration import (
    BeginPasskeyRegistration,
    BeginPasskeyRegistrationHandler,
)
from application.passkeys.delete_passkey import DeletePasskey, DeletePasskeyHandler
from application.passkeys.list_passkeys import ListPasskeys, ListPasskeysHandler
from application.passkeys.register_passkey import RegisterPasskey, RegisterPasskeyHandler
from application.passkeys.rename_passkey import RenamePasskey, RenamePasskeyHandler
from entrypoints.http.client_ip import request_context
from entrypoints.http.passkey_schemas import (
    MfaPasskeyOptionsRequest,
    MfaPasskeyOptionsResponse,
    PasskeyLoginOptionsRequest,
    PasskeyLoginRequest,
    PasskeyOptionsResponse,
    PasskeyRegisterRequest,
    PasskeyRenameRequest,
    PasskeyResponse,
    PasswordConfirmationRequest,
)
from entrypoints.http.route_parts import (
    AnyRequest,
    BearerRequest,
    bearer_route,
    caller_and_context,
    caller_id,
    use_case_route,
)
from entrypoints.http.schemas import LogInResponse
from entrypoints.http.throttling import SENSITIVE


@post(
    "/auth/passkeys/register/options",
    **bearer_route(BeginPasskeyRegistrationHandler, status_code=HTTP_200_OK, json_body=True, errors=(400, 409)),
)
async def begin_passkey_registration(
    request: BearerRequest,
    data: JSONBody[PasswordConfirmationRequest],
    begin_passkey_registration: NamedDependency[BeginPasskeyRegistrationHandler],
) -> PasskeyOptionsResponse:
    principal, context = caller_and_context(request)
    command = BeginPasskeyRegistration(user_id=principal.user_id, password=data.password, context=context)
    return PasskeyOptionsResponse.of(await begin_passkey_registration.handle(command))


@post(
    "/auth/passkeys/register",
    **bearer_route(RegisterPasskeyHandler, status_code=HTTP_201_CREATED, json_body=True, errors=(400, 409)),
)
async def register_passkey(
    request: BearerRequest,
    data: JSONBody[PasskeyRegisterRequest],
    register_passkey: NamedDependency[RegisterPasskeyHandler],
) -> PasskeyResponse:
    principal, context = caller_and_context(request)
    command = RegisterPasskey(
        user_id=principal.user_id, challenge_id=data.challenge_id, credential=data.credential, name=data.name,
        context=context,
    )  # fmt: skip
    return PasskeyResponse.of(await register_passkey.handle(command))


@get("/auth/passkeys", **bearer_route(ListPasskeysHandler))
async def list_passkeys(
    request: BearerRequest, list_passkeys: NamedDependency[ListPasskeysHandler]
) -> list[PasskeyResponse]:
    passkeys = await list_passkeys.handle(ListPasskeys(user_id=caller_id(request)))
    return [PasskeyResponse.of(passkey) for passkey in passkeys]


@patch("/auth/passkeys/{passkey_id:str}", **bearer_route(RenamePasskeyHandler, json_body=True, errors=(404,)))
async def rename_passkey(
    request: BearerRequest,
    passkey_id: FromPath[str],
    data: JSONBody[PasskeyRenameRequest],
    rename_passkey: NamedDependency[RenamePasskeyHandler],
) -> PasskeyResponse:
    principal, context = caller_and_context(request)
    command = RenamePasskey(user_id=principal.user_id, passkey_id=passkey_id, name=data.name, context=context)
    return PasskeyResponse.of(await rename_passkey.handle(command))


@delete(
    "/auth/passkeys/{passkey_id:str}",
    **bearer_route(DeletePasskeyHandler, status_code=HTTP_204_NO_CONTENT, json_body=True, errors=(400, 404)),
)
async def delete_passkey(
    request: BearerRequest,
    passkey_id: FromPath[str],
    data: JSONBody[PasswordConfirmationRequest],
    delete_passkey: NamedDependency[DeletePasskeyHandler],
) -> None:
    principal, context = caller_and_context(request)
    await delete_passkey.handle(
        DeletePasskey(user_id=principal.user_id, passkey_id=passkey_id, password=data.password, context=context)
    )


@post(
    "/auth/passkeys/login/options",
    **use_case_route(BeginPasskeyLoginHandler, status_code=HTTP_200_OK, json_body=True, opt=SENSITIVE),
)
async def begin_passkey_login(
    data: JSONBody[PasskeyLoginOptionsRequest], begin_passkey_login: NamedDependency[BeginPasskeyLoginHandler]
) -> PasskeyOptionsResponse:
    return PasskeyOptionsResponse.of(await begin_passkey_login.handle(BeginPasskeyLogin()))


@post(
    "/auth/passkeys/login",
    **use_case_route(
        LogInWithPasskeyHandler, status_code=HTTP_200_OK, json_body=True, opt=SENSITIVE, errors=(401, 403)
    ),
)
async def log_in_with_passkey(
    request: AnyRequest,
    data: JSONBody[PasskeyLoginRequest],
    log_in_with_passkey: NamedDependency[LogInWithPasskeyHandler],
) -> LogInResponse:
    command = LogInWithPasskey(
        challenge_id=data.challenge_id, credential=data.credential, device_token=data.device_token,
        context=request_context(request),
    )  # fmt: skip
    return LogInResponse.of_login(await log_in_with_passkey.handle(command))


@post(
    "/auth/login/mfa/options",
    **use_case_route(BeginMfaPasskeyHandler, status_code=HTTP_200_OK, json_body=True, opt=SENSITIVE, errors=(401,)),
)
async def begin_mfa_passkey(
    data: JSONBody[MfaPasskeyOptionsRequest], begin_mfa_passkey: NamedDependency[BeginMfaPasskeyHandler]
) -> MfaPasskeyOptionsResponse:
    options = await begin_mfa_passkey.handle(BeginMfaPasskey(mfa_token=data.mfa_token))
    return MfaPasskeyOptionsResponse(options=options)


passkey_router = Router(
    path="/",
    route_handlers=[
        begin_passkey_registration,
        register_passkey,
        list_passkeys,
        rename_passkey,
        delete_passkey,
        begin_passkey_login,
        log_in_with_passkey,
        begin_mfa_passkey,
    ],
    tags=["passkeys"],
)
