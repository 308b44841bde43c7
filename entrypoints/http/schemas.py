"""Request and response bodies (msgspec). Requests forbid unknown fields: nothing the client adds is applied."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

import msgspec

from application.account.get_profile import Profile
from application.auth.list_sessions import SessionView
from application.auth.login_sessions import MfaRequired
from application.mfa.get_mfa_status import MfaStatus
from application.mfa.set_up_totp import TotpSetup
from application.tasks.list_tasks import TaskList
from domain.accounts import User
from domain.audit import AuditEvent
from domain.sessions import TokenPair
from domain.tasks import Task
from entrypoints.http.field_types import (
    DeviceToken,
    Email,
    FullName,
    Identifier,
    LogInEmail,
    MfaCode,
    NewEmail,
    NewPassword,
    OpaqueToken,
    Password,
    RoleList,
    TaskDescription,
    TaskTitle,
    Username,
)


class RegisterRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: NewEmail
    username: Username
    password: NewPassword
    full_name: FullName | None = None


class LogInRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A login: `email` or `username` (either may name the account by email or username), and `password`."""

    password: Password
    email: LogInEmail | None = None
    username: Identifier | None = None
    device_token: DeviceToken | None = None


class LogInForm(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The OAuth2 password form of a login (`application/x-www-form-urlencoded`), decoded like `LogInRequest`.

    The other fields of RFC 6749's password grant (`grant_type`, `scope`, `client_id`,
    `client_secret`), which OAuth2 clients such as Swagger UI send, are accepted and ignored.
    """

    username: Annotated[Identifier, msgspec.Meta(min_length=1)]
    password: Password
    device_token: DeviceToken | msgspec.UnsetType = msgspec.UNSET
    grant_type: Literal["password"] | msgspec.UnsetType = msgspec.UNSET
    scope: Annotated[str, msgspec.Meta(max_length=1000)] | msgspec.UnsetType = msgspec.UNSET
    client_id: Annotated[str, msgspec.Meta(max_length=1000)] | msgspec.UnsetType = msgspec.UNSET
    client_secret: Annotated[str, msgspec.Meta(max_length=1000)] | msgspec.UnsetType = msgspec.UNSET


class RefreshRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    refresh_token: OpaqueToken


class UserResponse(msgspec.Struct, frozen=True):
    id: str
    email: str
    username: str
    full_name: str | None
    is_active: bool
    is_superuser: bool
    roles: list[str]
    email_verified: bool
    mfa_enabled: bool
    last_login: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserResponse:
        return cls(
            id=user.id,
            email=user.email.value,
            username=user.username.value,
            full_name=user.full_name,
            is_active=user.is_active,
            is_superuser=user.is_superuser,
            roles=sorted(role.value for role in user.roles),
            email_verified=user.email_verified,
            mfa_enabled=user.mfa_enabled,
            last_login=user.last_login,
            created_at=user.created_at,
        )


class ProfileResponse(UserResponse, frozen=True):
    task_count: int
    completed_task_count: int
    account_age_days: int

    @classmethod
    def of_profile(cls, profile: Profile) -> ProfileResponse:
        user = UserResponse.of(profile.user)
        return cls(
            **msgspec.structs.asdict(user),
            task_count=profile.task_count,
            completed_task_count=profile.completed_task_count,
            account_age_days=profile.account_age_days,
        )


class TokenPairResponse(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"

    @classmethod
    def of(cls, pair: TokenPair) -> Self:
        return cls(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in)


class LogInResponse(TokenPairResponse, frozen=True, kw_only=True):
    """The token pair of a successful login, and the device token to present at this device's next logins."""

    device_token: Annotated[
        str,
        msgspec.Meta(description="Opaque, valid 90 days; send it as `device_token` with this device's next logins."),
    ]

    @classmethod
    def of_login(cls, pair: TokenPair) -> LogInResponse:
        if pair.device_token is None:
            raise ValueError("a login always yields a device token")
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
            device_token=pair.device_token,
        )


class MfaRequiredResponse(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a right password on an account with a second factor: no tokens yet, but the
    `mfa_token` to send with a code to POST /auth/login/mfa."""

    mfa_required: Literal[True] = True
    mfa_token: Annotated[str, msgspec.Meta(description="Opaque, single use, valid 5 minutes, dead after 5 codes.")]
    methods: list[str]

    @classmethod
    def of(cls, required: MfaRequired) -> MfaRequiredResponse:
        return cls(mfa_token=required.mfa_token, methods=[method.value for method in required.methods])


class MfaLogInRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The second step of a login: the `mfa_token` of the first and a code, or a passkey's
    `credential` (the `PublicKeyCredential.toJSON()` of an assertion for POST /auth/login/mfa/options)."""

    mfa_token: OpaqueToken
    code: MfaCode | None = None
    credential: dict[str, Any] | None = None
    device_token: DeviceToken | None = None


class MfaStatusResponse(msgspec.Struct, frozen=True):
    totp: bool
    passkeys: int
    recovery_codes_left: int

    @classmethod
    def of(cls, status: MfaStatus) -> MfaStatusResponse:
        return cls(totp=status.totp, passkeys=status.passkeys, recovery_codes_left=status.recovery_codes_left)


class TotpSetupRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    password: Password


class TotpSetupResponse(msgspec.Struct, frozen=True):
    secret: Annotated[str, msgspec.Meta(description="The TOTP secret in base32 (160 bits), for manual entry")]
    otpauth_uri: str
    qr_svg: Annotated[str, msgspec.Meta(description="An SVG document of the QR code of `otpauth_uri`")]

    @classmethod
    def of(cls, setup: TotpSetup) -> TotpSetupResponse:
        return cls(secret=setup.secret, otpauth_uri=setup.otpauth_uri, qr_svg=setup.qr_svg)


class TotpConfirmRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: MfaCode


class MfaChangeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The account's password and a current TOTP code or an unused recovery code."""

    password: Password
    code: MfaCode


class RecoveryCodesResponse(msgspec.Struct, frozen=True):
    recovery_codes: Annotated[list[str], msgspec.Meta(description="Shown once; each works once")]


class SessionResponse(msgspec.Struct, frozen=True):
    id: str
    created_at: datetime
    last_used_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool

    @classmethod
    def of(cls, view: SessionView) -> SessionResponse:
        session = view.session
        return cls(
            id=session.id,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            ip=session.ip,
            user_agent=session.user_agent,
            current=view.current,
        )


class HealthResponse(msgspec.Struct, frozen=True):
    status: str
    app_name: str
    environment: str


class ReadinessResponse(msgspec.Struct, frozen=True):
    status: str
    checks: dict[str, str]


class ChangePasswordRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    current_password: Password
    new_password: NewPassword


class PasswordResetRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email


class PasswordResetConfirmRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    token: OpaqueToken
    new_password: NewPassword


class VerifyEmailRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    token: OpaqueToken


class UpdateProfileRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: Username | msgspec.UnsetType = msgspec.UNSET
    full_name: FullName | msgspec.UnsetType | None = msgspec.UNSET


class DeleteAccountRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    password: Password


class AcceptedResponse(msgspec.Struct, frozen=True):
    detail: str


class CreateTaskRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    title: TaskTitle
    description: TaskDescription | None = None
    completed: bool = False


class UpdateTaskRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Only the fields present change; a null description clears it."""

    title: TaskTitle | msgspec.UnsetType = msgspec.UNSET
    description: TaskDescription | msgspec.UnsetType | None = msgspec.UNSET
    completed: bool | msgspec.UnsetType = msgspec.UNSET


class TaskResponse(msgspec.Struct, frozen=True):
    id: str
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, task: Task) -> TaskResponse:
        return cls(
            id=task.id,
            title=task.title,
            description=task.description,
            completed=task.completed,
            created_at=task.created_at,
            updated_at=task.updated_at,
        )


class TaskListResponse(msgspec.Struct, frozen=True):
    items: list[TaskResponse]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, tasks: TaskList) -> TaskListResponse:
        return cls(
            items=[TaskResponse.of(task) for task in tasks.items],
            total=tasks.total,
            limit=tasks.page.limit,
            offset=tasks.page.offset,
        )


class AdminUserResponse(UserResponse, frozen=True):
    failed_login_attempts: int
    locked_until: datetime | None

    @classmethod
    def of_user(cls, user: User) -> AdminUserResponse:
        return cls(
            **msgspec.structs.asdict(UserResponse.of(user)),
            failed_login_attempts=user.failed_login_attempts,
            locked_until=user.locked_until,
        )


class AdminUserListResponse(msgspec.Struct, frozen=True):
    items: list[AdminUserResponse]
    total: int
    limit: int
    offset: int


class AdminUpdateUserRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    roles: RoleList | msgspec.UnsetType = msgspec.UNSET
    email_verified: bool | msgspec.UnsetType = msgspec.UNSET


class AuditEventResponse(msgspec.Struct, frozen=True):
    id: str
    type: str
    user_id: str | None
    ip: str | None
    user_agent: str | None
    created_at: datetime
    data: dict[str, str | int | bool | None]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventResponse:
        return cls(
            id=event.id,
            type=event.type.value,
            user_id=event.user_id,
            ip=event.ip,
            user_agent=event.user_agent,
            created_at=event.created_at,
            data=dict(event.data),
        )


class AuditEventListResponse(msgspec.Struct, frozen=True):
    items: list[AuditEventResponse]
    total: int
    limit: int
    offset: int


class JwksResponse(msgspec.Struct, frozen=True):
    keys: list[dict[str, str]]
