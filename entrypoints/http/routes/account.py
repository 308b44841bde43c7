import inspect
from typing import Any

import msgspec
from litestar import Request, Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from application.account.change_password import ChangePassword, ChangePasswordHandler
from application.account.confirm_password_reset import ConfirmPasswordReset, ConfirmPasswordResetHandler
from application.account.delete_account import DeleteAccount, DeleteAccountHandler
from application.account.get_profile import GetProfile, GetProfileHandler
from application.account.request_password_reset import RequestPasswordReset, RequestPasswordResetHandler
from application.account.resend_verification import ResendVerification, ResendVerificationHandler
from application.account.update_profile import UpdateProfile, UpdateProfileHandler
from application.account.verify_email import VerifyEmail, VerifyEmailHandler
from domain.sessions import Principal
from entrypoints.http.auth import BEARER, principal_of
from entrypoints.http.client_ip import request_context
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
from entrypoints.http.security import require_json_body
from entrypoints.http.throttling import SENSITIVE

_json = [require_json_body]

RESET_ACCEPTED = AcceptedResponse(detail="If an active account has this email, a reset link is on its way.")
VERIFICATION_ACCEPTED = AcceptedResponse(detail="If the address is not verified yet, a new link is on its way.")


@post(
    "/auth/change-password",
    status_code=HTTP_204_NO_CONTENT,
    guards=_json,
    opt=BEARER,
    description=inspect.getdoc(ChangePasswordHandler),
)
async def change_password(
    request: Request[Principal, Any, Any],
    data: JSONBody[ChangePasswordRequest],
    change_password: NamedDependency[ChangePasswordHandler],
) -> None:
    principal = principal_of(request)
    await change_password.handle(
        ChangePassword(
            user_id=principal.user_id,
            session_id=principal.session_id,
            current_password=data.current_password,
            new_password=data.new_password,
            context=request_context(request),
        )
    )


@post(
    "/auth/password-reset",
    status_code=HTTP_202_ACCEPTED,
    guards=_json,
    opt=SENSITIVE,
    description=inspect.getdoc(RequestPasswordResetHandler),
)
async def request_password_reset(
    request: Request[Any, Any, Any],
    data: JSONBody[PasswordResetRequest],
    request_password_reset: NamedDependency[RequestPasswordResetHandler],
) -> AcceptedResponse:
    await request_password_reset.handle(RequestPasswordReset(email=data.email, context=request_context(request)))
    return RESET_ACCEPTED


@post(
    "/auth/password-reset/confirm",
    status_code=HTTP_204_NO_CONTENT,
    guards=_json,
    description=inspect.getdoc(ConfirmPasswordResetHandler),
)
async def confirm_password_reset(
    request: Request[Any, Any, Any],
    data: JSONBody[PasswordResetConfirmRequest],
    confirm_password_reset: NamedDependency[ConfirmPasswordResetHandler],
) -> None:
    await confirm_password_reset.handle(
        ConfirmPasswordReset(token=data.token, new_password=data.new_password, context=request_context(request))
    )


@post(
    "/auth/verify-email",
    status_code=HTTP_204_NO_CONTENT,
    guards=_json,
    description=inspect.getdoc(VerifyEmailHandler),
)
async def verify_email(
    request: Request[Any, Any, Any],
    data: JSONBody[VerifyEmailRequest],
    verify_email: NamedDependency[VerifyEmailHandler],
) -> None:
    await verify_email.handle(VerifyEmail(token=data.token, context=request_context(request)))


@post(
    "/auth/verify-email/resend",
    status_code=HTTP_202_ACCEPTED,
    opt={**BEARER, **SENSITIVE},
    description=inspect.getdoc(ResendVerificationHandler),
)
async def resend_verification(
    request: Request[Principal, Any, Any], resend_verification: NamedDependency[ResendVerificationHandler]
) -> AcceptedResponse:
    principal = principal_of(request)
    await resend_verification.handle(ResendVerification(user_id=principal.user_id))
    return VERIFICATION_ACCEPTED


@get("/auth/me", opt=BEARER, description=inspect.getdoc(GetProfileHandler))
async def me(request: Request[Principal, Any, Any], get_profile: NamedDependency[GetProfileHandler]) -> ProfileResponse:
    principal = principal_of(request)
    return ProfileResponse.of_profile(await get_profile.handle(GetProfile(user_id=principal.user_id)))


@patch("/auth/me", guards=_json, opt=BEARER, description=inspect.getdoc(UpdateProfileHandler))
async def update_me(
    request: Request[Principal, Any, Any],
    data: JSONBody[UpdateProfileRequest],
    update_profile: NamedDependency[UpdateProfileHandler],
) -> UserResponse:
    principal = principal_of(request)
    change_full_name = data.full_name is not msgspec.UNSET
    user = await update_profile.handle(
        UpdateProfile(
            user_id=principal.user_id,
            username=None if data.username is msgspec.UNSET else data.username,
            full_name=data.full_name if isinstance(data.full_name, str) else None,
            change_full_name=change_full_name,
            context=request_context(request),
        )
    )
    return UserResponse.of(user)


@delete(
    "/auth/me",
    status_code=HTTP_204_NO_CONTENT,
    guards=_json,
    opt=BEARER,
    description=inspect.getdoc(DeleteAccountHandler),
)
async def delete_me(
    request: Request[Principal, Any, Any],
    data: JSONBody[DeleteAccountRequest],
    delete_account: NamedDependency[DeleteAccountHandler],
) -> None:
    principal = principal_of(request)
    await delete_account.handle(
        DeleteAccount(user_id=principal.user_id, password=data.password, context=request_context(request))
    )


account_router = Router(
    path="/",
    route_handlers=[
        change_password,
        request_password_reset,
        confirm_password_reset,
        verify_email,
        resend_verification,
        me,
        update_me,
        delete_me,
    ],
    tags=["account"],
)
