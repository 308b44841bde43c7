"""The audit trail: security-relevant events, recorded with the change they describe."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.events import DomainEvent
from domain.ids import UserId

AuditData = dict[str, str | int | bool | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestContext:
    """Where a request came from, for the audit trail."""

    ip: str | None = None
    user_agent: str | None = None


class AuditEventType(StrEnum):
    USER_REGISTERED = "user.registered"
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_THROTTLED = "login.throttled"
    TOKEN_REFRESHED = "token.refreshed"
    TOKEN_REUSE_DETECTED = "token.reuse_detected"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password.changed"
    # A wrong (or locked-out) password check outside login: change password, delete account, ...
    PASSWORD_CHECK_FAILED = "password.check_failed"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"
    PASSWORD_RESET = "password.reset"
    EMAIL_VERIFIED = "email.verified"
    USER_UPDATED = "user.updated"
    USER_UPDATED_BY_ADMIN = "user.updated_by_admin"
    USER_UNLOCKED = "user.unlocked"
    SESSIONS_REVOKED = "sessions.revoked"
    USER_DELETED = "user.deleted"
    MFA_ENABLED = "mfa.enabled"
    MFA_DISABLED = "mfa.disabled"
    # A wrong second-factor code (login step, disable, new recovery codes, confirmation).
    MFA_FAILED = "mfa.failed"
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used"
    MFA_RECOVERY_CODES_REGENERATED = "mfa.recovery_codes_regenerated"
    MFA_RESET_BY_ADMIN = "mfa.reset_by_admin"
    PASSKEY_REGISTERED = "passkey.registered"
    PASSKEY_RENAMED = "passkey.renamed"
    PASSKEY_DELETED = "passkey.deleted"
    # A refused passkey assertion (login or second step); `reason` says why, `counter_regressed`
    # included (a cloned authenticator).
    PASSKEY_FAILED = "passkey.failed"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    # A request with a known key refused: revoked, expired, from an IP outside its ranges, or out of scope.
    API_KEY_REFUSED = "api_key.refused"
    SERVICE_ACCOUNT_CREATED = "service_account.created"
    SERVICE_ACCOUNT_DELETED = "service_account.deleted"
    SERVICE_ACCOUNT_SECRET_ROTATED = "service_account.secret_rotated"
    # A client credentials grant of a known service account refused: `wrong_secret` or `invalid_scope`.
    SERVICE_ACCOUNT_REFUSED = "service_account.refused"
    # A provider vouched for an identity at the callback of a social login (the account's sign-in
    # completes at the code exchange, after the MFA step if the account has a second factor).
    OAUTH_LOGIN = "oauth.login"
    OAUTH_LINKED = "oauth.linked"
    OAUTH_UNLINKED = "oauth.unlinked"
    # A social login's callback refused: the provider's answer did not verify, the browser or the
    # state did not match, an unverified or taken email, a disabled account; `reason` says which.
    OAUTH_REFUSED = "oauth.refused"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent(DomainEvent):
    """Something security-relevant that happened, stored in the audit trail by the transaction that
    made the change and published as a domain event after it commits. `data` is small and never
    holds a password, a token, a hash or a full email address."""

    id: str
    type: AuditEventType
    user_id: UserId | None
    ip: str | None
    user_agent: str | None
    created_at: datetime
    data: AuditData = field(default_factory=dict)

    @classmethod
    def record(
        cls,
        type_: AuditEventType,
        *,
        user_id: UserId | None,
        context: RequestContext,
        now: datetime,
        data: AuditData | None = None,
    ) -> AuditEvent:
        return cls(
            id=str(uuid.uuid4()),
            type=type_,
            user_id=user_id,
            ip=context.ip,
            user_agent=context.user_agent,
            created_at=now,
            data=dict(data or {}),
        )


NO_CONTEXT = RequestContext()
"""The context of work that no request caused (command line, background jobs)."""
