import msgspec
from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from application.account.change_password import ChangePassword, ChangePasswordHandler
from application.account.confirm_password_reset import ConfirmPasswordReset, ConfirmPasswordResetHandler
from application.account.delete_account import DeleteAccount, DeleteAccountHandler
from application.account.export_account import ExportAccount, ExportAccountHandler
from application.account.get_profile import GetProfile, GetProfileHandler
from application.account.request_password_reset import RequestPasswordReset, RequestPasswordResetHandler
from application.account.resend_verification import ResendVerification, ResendVerificationHandler
from application.account.update_profile import UpdateProfile, UpdateProfileHandler
from application.account.verify_email import VerifyEmail, VerifyEmailHandler
from entrypoints.http.auth import BEARER
from entrypoints.http.client_ip import request_context
from entrypoints.http.export_schema import AccountExportResponse
from entrypoints.http.route_parts import (
    AnyRequest,
    BearerRequest,
    bearer_route,
    caller_and_context,
    caller_id,
    use_case_route,
)
from entrypoints.http.schemas import (
    AcceptedResponse,
    ChangePasswordRequest,
    DeleteAccountRequest,
    PasswordResetConfirmRequest,
    PasswordResetRequest,
    ProfileResponse,
    UpdateProfileRequest,
    UserResponse,
    VerifyEmailRequest,
)
from entrypoints.http.throttling import SENSITIVE

RESET_ACCEPTED = AcceptedResponse(detail="If an active account has this email, a reset link is on its way.")
VERIFICATION_ACCEPTED = AcceptedResponse(detail="If the address is not verified yet, a new link is on its way.")


@post("/auth/change-password", **bearer_route(ChangePasswordHandler, status_code=HTTP_204_NO_CONTENT, json_body=True))
async def change_password(
    request: BearerRequest,
    data: JSONBody[ChangePasswordRequest],
    change_password: NamedDependency[ChangePasswordHandler],
) -> None:
    principal, context = caller_and_context(request)
    await change_password.handle(
        ChangePassword(
            user_id=principal.user_id,
            session_id=principal.session_id,
            current_password=data.current_password,
            new_password=data.new_password,
            context=context,
        )
    )


@post(
    "/auth/password-reset",
    **use_case_route(RequestPasswordResetHandler, status_code=HTTP_202_ACCEPTED, json_body=True, opt=SENSITIVE),
)
async def request_password_reset(
    request: AnyRequest,
    data: JSONBody[PasswordResetRequest],
    request_password_reset: NamedDependency[RequestPasswordResetHandler],
) -> AcceptedResponse:
    await request_password_reset.handle(RequestPasswordReset(email=data.email, context=request_context(request)))
    return RESET_ACCEPTED


@post(
    "/auth/password-reset/confirm",
    **use_case_route(ConfirmPasswordResetHandler, status_code=HTTP_204_NO_CONTENT, json_body=True, opt=SENSITIVE),
)
async def confirm_password_reset(
    request: AnyRequest,
    data: JSONBody[PasswordResetConfirmRequest],
    confirm_password_reset: NamedDependency[ConfirmPasswordResetHandler],
) -> None:
    await confirm_password_reset.handle(
        ConfirmPasswordReset(token=data.token, new_password=data.new_password, context=request_context(request))
    )


@post("/auth/verify-email", **use_case_route(VerifyEmailHandler, status_code=HTTP_204_NO_CONTENT, json_body=True))
async def verify_email(
    request: AnyRequest, data: JSONBody[VerifyEmailRequest], verify_email: NamedDependency[VerifyEmailHandler]
) -> None:
    await verify_email.handle(VerifyEmail(token=data.token, context=request_context(request)))


@post(
    "/auth/verify-email/resend",
    **use_case_route(ResendVerificationHandler, status_code=HTTP_202_ACCEPTED, opt={**BEARER, **SENSITIVE}),
)
async def resend_verification(
    request: BearerRequest, resend_verification: NamedDependency[ResendVerificationHandler]
) -> AcceptedResponse:
    await resend_verification.handle(ResendVerification(user_id=caller_id(request)))
    return VERIFICATION_ACCEPTED


@get("/auth/me", **bearer_route(GetProfileHandler))
async def me(request: BearerRequest, get_profile: NamedDependency[GetProfileHandler]) -> ProfileResponse:
    return ProfileResponse.of_profile(await get_profile.handle(GetProfile(user_id=caller_id(request))))


@get("/auth/me/export", **bearer_route(ExportAccountHandler))
async def export_me(
    request: BearerRequest, export_account: NamedDependency[ExportAccountHandler]
) -> AccountExportResponse:
    """Everything held about the caller (the right of access): the account, every stored session,
    every task and every audit event of the account; no password hash and no token."""
    return AccountExportResponse.of(await export_account.handle(ExportAccount(user_id=caller_id(request))))


@patch("/auth/me", **bearer_route(UpdateProfileHandler, json_body=True, errors=(409,)))
async def update_me(
    request: BearerRequest, data: JSONBody[UpdateProfileRequest], update_profile: NamedDependency[UpdateProfileHandler]
) -> UserResponse:
    principal, context = caller_and_context(request)
    user = await update_profile.handle(
        UpdateProfile(
            user_id=principal.user_id,
            username=None if data.username is msgspec.UNSET else data.username,
            full_name=data.full_name if isinstance(data.full_name, str) else None,
            change_full_name=data.full_name is not msgspec.UNSET,
            context=context,
        )
    )
    return UserResponse.of(user)


@delete("/auth/me", **bearer_route(DeleteAccountHandler, status_code=HTTP_204_NO_CONTENT, json_body=True))
async def delete_me(
    request: BearerRequest, data: JSONBody[DeleteAccountRequest], delete_account: NamedDependency[DeleteAccountHandler]
) -> None:
    principal, context = caller_and_context(request)
    await delete_account.handle(DeleteAccount(user_id=principal.user_id, password=data.password, context=context))


account_router = Router(
    path="/",
    route_handlers=[
        change_password,
        request_password_reset,
        confirm_password_reset,
        verify_email,
        resend_verification,
        me,
        export_me,
        update_me,
        delete_me,
    ],
    tags=["account"],
)
