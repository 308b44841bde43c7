"""What follows a commit: the subscribers of the domain events, and the bus that runs them.

`message_bus` is the one table of after-commit effects; a new effect is one more `subscribe` line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from application.messagebus import MessageBus
from domain.audit import AuditEvent, AuditEventType
from domain.events import (
    ApiKeyChecked,
    ClientCredentialsChecked,
    LoginAttemptsCleared,
    RequestThrottled,
    RevocationEvent,
    RolesChanged,
    SessionsRevoked,
    UserRevoked,
)
from domain.ports.metrics import SecurityMetrics
from domain.ports.revocation_list import RevocationList
from domain.ports.throttling import LoginAttemptCounter
from domain.second_factor import SecondFactorMethod
from domain.sessions import SessionPolicy
from domain.throttling import login_identifier_key


class AccessRevoker:
    """Puts revoked sessions and users on the revocation list, for as long as their access tokens can live.

    With `share=False` (revocations replayed from the database's revocation log, which every process
    reads) the list is changed in this process only.
    """

    def __init__(self, revocations: RevocationList, policy: SessionPolicy, *, share: bool = True) -> None:
        self._revocations, self._policy, self._share = revocations, policy, share

    async def apply(self, event: RevocationEvent) -> None:
        """The effect of any revocation event."""
        if isinstance(event, SessionsRevoked):
            await self.sessions_revoked(event)
        elif isinstance(event, UserRevoked):
            await self.user_revoked(event)
        else:
            await self.roles_changed(event)

    async def sessions_revoked(self, event: SessionsRevoked) -> None:
        if event.session_ids:
            until = self._policy.revocation_until(event.occurred_at)
            await self._revocations.revoke_sessions(event.session_ids, until=until, share=self._share)

    async def user_revoked(self, event: UserRevoked) -> None:
        until = self._policy.revocation_until(event.occurred_at)
        await self._revocations.revoke_user(
            event.user_id, issued_before=event.occurred_at, until=until, share=self._share
        )

    async def roles_changed(self, event: RolesChanged) -> None:
        # Tokens say when they were issued in whole seconds: one issued in the second of the change
        # may carry the old roles, so the cut-off is the next whole second. A token refreshed in
        # that same second is refused too; the client's next refresh, a second later, gets through.
        issued_before = event.occurred_at.replace(microsecond=0) + timedelta(seconds=1)
        until = self._policy.revocation_until(issued_before)
        await self._revocations.revoke_user(event.user_id, issued_before=issued_before, until=until, share=self._share)


class LockoutReset:
    """Forgets the failed logins counted against an account's identifiers."""

    def __init__(self, attempts: LoginAttemptCounter) -> None:
        self._attempts = attempts

    async def attempts_cleared(self, event: LoginAttemptsCleared) -> None:
        for identifier in event.identifiers:
            await self._attempts.succeed(login_identifier_key(identifier))


_LOGIN_RESULTS = {
    AuditEventType.LOGIN_SUCCEEDED: "success",
    AuditEventType.LOGIN_FAILED: "failure",
    AuditEventType.LOGIN_THROTTLED: "locked",
}
_REFRESH_RESULTS = {AuditEventType.TOKEN_REFRESHED: "success", AuditEventType.TOKEN_REUSE_DETECTED: "reuse_detected"}
# Every failed check of a password or a second-factor code counts against the lockout.
_PASSWORD_CHECKS = {AuditEventType.LOGIN_FAILED, AuditEventType.PASSWORD_CHECK_FAILED, AuditEventType.MFA_FAILED}


def _mfa_result(event: AuditEvent) -> tuple[str, str] | None:
    """The (method, result) of a second-factor code checked at login, if the event records one."""
    data = event.data
    if event.type is AuditEventType.LOGIN_SUCCEEDED and isinstance(method := data.get("mfa_method"), str):
        return method, "success"
    if event.type is AuditEventType.MFA_FAILED and data.get("purpose") == "login":
        method, reason = data.get("method"), data.get("reason")
        if isinstance(method, str):
            return method, "locked" if reason == "locked" else "failure"
    if event.type is AuditEventType.PASSKEY_FAILED and data.get("purpose") == "login_mfa":
        return SecondFactorMethod.WEBAUTHN.value, "failure"
    return None


def _oauth_result(event: AuditEvent) -> tuple[str, str] | None:
    """The (provider, result) of a social login callback, if the event records one."""
    provider = event.data.get("provider")
    if not isinstance(provider, str):
        return None
    if event.type is AuditEventType.OAUTH_LOGIN:
        return provider, "success"
    reason = event.data.get("reason")
    if event.type is AuditEventType.OAUTH_REFUSED and isinstance(reason, str):
        return provider, reason
    return None


class MetricsRecorder:
    """Counts the security signals of the audit events, throttled requests, API key checks and
    client credentials grants.

    A login's result is `success`, `locked` (refused while locked out), or the reason of a refusal
    after the password was checked (`invalid_credentials`, `account_disabled`, `email_not_verified`);
    a failed password check that starts a lockout (`"locked": true` in its data) is a lockout, and so
    is a wrong second-factor code that starts one. A second factor checked at login counts by its
    method (`totp`, `recovery_code`, `webauthn`) and result (`success`, `failure`, `locked`). A
    passwordless passkey login counts as a login (`success`, or the refusal after the passkey:
    `account_disabled`, `email_not_verified`); its refused assertions count as `passkey_failed`. A
    social login's callback counts by provider and result (`success`, or the refusal's reason)."""

    def __init__(self, metrics: SecurityMetrics) -> None:
        self._metrics = metrics

    async def audit_event(self, event: AuditEvent) -> None:
        if event.type is AuditEventType.PASSKEY_FAILED and event.data.get("purpose") == "login":
            self._metrics.login("passkey_failed")
        login = _LOGIN_RESULTS.get(event.type)
        if login is not None:
            reason = event.data.get("reason")
            self._metrics.login(reason if login == "failure" and isinstance(reason, str) else login)
        refresh = _REFRESH_RESULTS.get(event.type)
        if refresh is not None:
            self._metrics.refresh(refresh)
        if event.type in _PASSWORD_CHECKS and event.data.get("locked") is True:
            self._metrics.lockout()
        mfa = _mfa_result(event)
        if mfa is not None:
            self._metrics.mfa(*mfa)
        oauth = _oauth_result(event)
        if oauth is not None:
            self._metrics.oauth(*oauth)

    async def request_throttled(self, event: RequestThrottled) -> None:
        self._metrics.rate_limited(event.limit)

    async def api_key_checked(self, event: ApiKeyChecked) -> None:
        self._metrics.api_key_auth(event.result)

    async def client_credentials_checked(self, event: ClientCredentialsChecked) -> None:
        self._metrics.client_credentials(event.result)


def message_bus(
    *,
    revocations: RevocationList,
    attempts: LoginAttemptCounter,
    policy: SessionPolicy,
    audit_lines: Callable[[AuditEvent], Awaitable[None]],
    metrics: SecurityMetrics | None = None,
) -> MessageBus:
    """The bus with every after-commit effect of Bastion subscribed (the metrics when given)."""
    bus = MessageBus()
    bus.subscribe(AuditEvent, audit_lines)
    access = AccessRevoker(revocations, policy)
    bus.subscribe(SessionsRevoked, access.sessions_revoked)
    bus.subscribe(UserRevoked, access.user_revoked)
    bus.subscribe(RolesChanged, access.roles_changed)
    bus.subscribe(LoginAttemptsCleared, LockoutReset(attempts).attempts_cleared)
    if metrics is not None:
        recorder = MetricsRecorder(metrics)
        bus.subscribe(AuditEvent, recorder.audit_event)
        bus.subscribe(RequestThrottled, recorder.request_throttled)
        bus.subscribe(ApiKeyChecked, recorder.api_key_checked)
        bus.subscribe(ClientCredentialsChecked, recorder.client_credentials_checked)
    return bus
