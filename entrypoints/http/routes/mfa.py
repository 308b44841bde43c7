from litestar import Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from application.auth.complete_mfa_login import CompleteMfaLogin, CompleteMfaLoginHandler
from application.mfa.confirm_totp import ConfirmTotp, ConfirmTotpHandler
from application.mfa.disable_totp import DisableTotp, DisableTotpHandler
from application.mfa.get_mfa_status import GetMfaStatus, GetMfaStatusHandler
from application.mfa.regenerate_recovery_codes import RegenerateRecoveryCodes, RegenerateRecoveryCodesHandler
from application.mfa.set_up_totp import SetUpTotp, SetUpTotpHandler
from entrypoints.http.client_ip import request_context
from entrypoints.http.route_parts import (
    AnyRequest,
    BearerRequest,
    bearer_route,
    caller_and_context,
    caller_id,
    use_case_route,
)
from entrypoints.http.schemas import (
    LogInResponse,
    MfaChangeRequest,
    MfaLogInRequest,
    MfaStatusResponse,
    RecoveryCodesResponse,
    TotpConfirmRequest,
    TotpSetupRequest,
    TotpSetupResponse,
)
from entrypoints.http.throttling import SENSITIVE

# A wrong password or code is 400; 409 when TOTP is not in the state the change needs; 429 on lockout.
_CHANGE_ERRORS = (400, 409)


@post(
    "/auth/login/mfa",
    **use_case_route(
        CompleteMfaLoginHandler, status_code=HTTP_200_OK, json_body=True, opt=SENSITIVE, errors=(401, 403)
    ),
)
async def log_in_mfa(
    request: AnyRequest, data: JSONBody[MfaLogInRequest], complete_mfa_login: NamedDependency[CompleteMfaLoginHandler]
) -> LogInResponse:
    command = CompleteMfaLogin(
        mfa_token=data.mfa_token, code=data.code, credential=data.credential, device_token=data.device_token,
        context=request_context(request),
    )  # fmt: skip
    return LogInResponse.of_login(await complete_mfa_login.handle(command))


@get("/auth/mfa", **bearer_route(GetMfaStatusHandler))
async def mfa_status(request: BearerRequest, get_mfa_status: NamedDependency[GetMfaStatusHandler]) -> MfaStatusResponse:
    return MfaStatusResponse.of(await get_mfa_status.handle(GetMfaStatus(user_id=caller_id(request))))


@post(
    "/auth/mfa/totp/setup",
    **bearer_route(SetUpTotpHandler, status_code=HTTP_200_OK, json_body=True, errors=_CHANGE_ERRORS),
)
async def set_up_totp(
    request: BearerRequest, data: JSONBody[TotpSetupRequest], set_up_totp: NamedDependency[SetUpTotpHandler]
) -> TotpSetupResponse:
    principal, context = caller_and_context(request)
    setup = await set_up_totp.handle(SetUpTotp(user_id=principal.user_id, password=data.password, context=context))
    return TotpSetupResponse.of(setup)


@post(
    "/auth/mfa/totp/confirm",
    **bearer_route(ConfirmTotpHandler, status_code=HTTP_200_OK, json_body=True, errors=_CHANGE_ERRORS),
)
async def confirm_totp(
    request: BearerRequest, data: JSONBody[TotpConfirmRequest], confirm_totp: NamedDependency[ConfirmTotpHandler]
) -> RecoveryCodesResponse:
    principal, context = caller_and_context(request)
    codes = await confirm_totp.handle(ConfirmTotp(user_id=principal.user_id, code=data.code, context=context))
    return RecoveryCodesResponse(recovery_codes=codes)


@delete(
    "/auth/mfa/totp",
    **bearer_route(DisableTotpHandler, status_code=HTTP_204_NO_CONTENT, json_body=True, errors=_CHANGE_ERRORS),
)
async def disable_totp(
    request: BearerRequest, data: JSONBody[MfaChangeRequest], disable_totp: NamedDependency[DisableTotpHandler]
) -> None:
    principal, context = caller_and_context(request)
    await disable_totp.handle(
        DisableTotp(user_id=principal.user_id, password=data.password, code=data.code, context=context)
    )


@post(
    "/auth/mfa/recovery-codes",
    **bearer_route(RegenerateRecoveryCodesHandler, status_code=HTTP_200_OK, json_body=True, errors=_CHANGE_ERRORS),
)
async def regenerate_recovery_codes(
    request: BearerRequest,
    data: JSONBody[MfaChangeRequest],
    regenerate_recovery_codes: NamedDependency[RegenerateRecoveryCodesHandler],
) -> RecoveryCodesResponse:
    principal, context = caller_and_context(request)
    codes = await regenerate_recovery_codes.handle(
        RegenerateRecoveryCodes(user_id=principal.user_id, password=data.password, code=data.code, context=context)
    )
    return RecoveryCodesResponse(recovery_codes=codes)


mfa_router = Router(
    path="/",
    route_handlers=[log_in_mfa, mfa_status, set_up_totp, confirm_totp, disable_totp, regenerate_recovery_codes],
    tags=["mfa"],
)
