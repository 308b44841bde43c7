"""The after-commit subscribers, as `message_bus` wires them: revocations last as long as the tokens
they kill, lockout resets forget the counts, audit events reach the log lines and the metrics."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory.login_attempts import MemoryLoginAttemptCounter
from adapters.memory.revocation_list import MemoryRevocationList
from application.messagebus import MessageBus
from application.subscribers import message_bus
from domain.audit import AuditEvent, AuditEventType
from domain.events import (
    ApiKeyChecked,
    ClientCredentialsChecked,
    LoginAttemptsCleared,
    RequestThrottled,
    RolesChanged,
    SessionsRevoked,
    UserRevoked,
)
from domain.ids import SessionId, UserId
from domain.sessions import AccessClaims, SessionPolicy
from domain.throttling import login_identifier_key
from tests.builders import NOW, an_audit_event

POLICY = SessionPolicy(access_ttl=timedelta(minutes=15), revocation_margin=timedelta(minutes=1))
LOCKOUT = timedelta(minutes=30)


def _claims(*, user: str = "u1", session: str = "s1", issued_before_event: timedelta = timedelta(0)) -> AccessClaims:
    issued_at = NOW - issued_before_event
    return AccessClaims(
        subject=UserId(user),
        session_id=SessionId(session),
        roles=("user",),
        issued_at=issued_at,
        expires_at=issued_at + POLICY.access_ttl,
    )


class _Wired:
    def __init__(self) -> None:
        self.revocations, self.attempts = MemoryRevocationList(), MemoryLoginAttemptCounter()
        self.logged: list[AuditEvent] = []

        async def audit_lines(event: AuditEvent) -> None:
            self.logged.append(event)

        self.metrics = _CountedMetrics()
        self.bus: MessageBus = message_bus(
            revocations=self.revocations,
            attempts=self.attempts,
            policy=POLICY,
            audit_lines=audit_lines,
            metrics=self.metrics,
        )


class _CountedMetrics:
    def __init__(self) -> None:
        self.counted: list[tuple[str, ...]] = []

    def login(self, result: str) -> None:
        self.counted.append(("login", result))

    def refresh(self, result: str) -> None:
        self.counted.append(("refresh", result))

    def lockout(self) -> None:
        self.counted.append(("lockout",))

    def rate_limited(self, limit: str) -> None:
        self.counted.append(("rate_limited", limit))

    def mfa(self, method: str, result: str) -> None:
        self.counted.append(("mfa", method, result))

    def api_key_auth(self, result: str) -> None:
        self.counted.append(("api_key_auth", result))

    def client_credentials(self, result: str) -> None:
        self.counted.append(("client_credentials", result))


async def test_revoked_sessions_stay_revoked_until_their_last_access_token_has_expired() -> None:
    wired = _Wired()

    await wired.bus.publish([SessionsRevoked(session_ids=(SessionId("s1"),), occurred_at=NOW)])

    last_moment = POLICY.revocation_until(NOW) - timedelta(seconds=1)
    assert wired.revocations.is_revoked(_claims(session="s1"), last_moment)
    assert not wired.revocations.is_revoked(_claims(session="s2"), NOW)
    assert not wired.revocations.is_revoked(_claims(session="s1"), POLICY.revocation_until(NOW) + timedelta(seconds=1))


async def test_a_revoked_user_loses_the_tokens_issued_before_the_event_only() -> None:
    wired = _Wired()

    await wired.bus.publish([UserRevoked(user_id=UserId("u1"), occurred_at=NOW)])

    assert wired.revocations.is_revoked(_claims(user="u1", issued_before_event=timedelta(minutes=5)), NOW)
    assert not wired.revocations.is_revoked(_claims(user="u1", issued_before_event=-timedelta(seconds=5)), NOW)
    assert not wired.revocations.is_revoked(_claims(user="u2", issued_before_event=timedelta(minutes=5)), NOW)


async def test_cleared_login_attempts_lift_the_lockout_of_every_identifier() -> None:
    wired = _Wired()
    keys = [login_identifier_key("Ada@Example.org"), login_identifier_key("ada")]
    for key in keys:
        for _ in range(2):
            await wired.attempts.begin(key, max_failures=2, lockout=LOCKOUT, now=NOW)
        assert not (await wired.attempts.begin(key, max_failures=2, lockout=LOCKOUT, now=NOW)).allowed

    await wired.bus.publish([LoginAttemptsCleared(identifiers=("Ada@Example.org", "ada"), occurred_at=NOW)])

    for key in keys:
        assert (await wired.attempts.begin(key, max_failures=2, lockout=LOCKOUT, now=NOW)).allowed


async def test_audit_events_go_to_the_audit_lines() -> None:
    wired = _Wired()
    event = an_audit_event()

    await wired.bus.publish([event])

    assert wired.logged == [event]


async def test_a_role_change_kills_every_token_of_its_second_and_before_but_not_later_ones() -> None:
    wired = _Wired()
    changed_at = NOW + timedelta(milliseconds=400)

    await wired.bus.publish([RolesChanged(user_id=UserId("u1"), roles=frozenset({"user"}), occurred_at=changed_at)])

    same_second = _claims(user="u1", issued_before_event=-timedelta(milliseconds=500))
    earlier = _claims(user="u1", issued_before_event=timedelta(minutes=5))
    next_second = _claims(user="u1", issued_before_event=-timedelta(seconds=1))
    assert wired.revocations.is_revoked(same_second, NOW + timedelta(seconds=1))
    assert wired.revocations.is_revoked(earlier, NOW + timedelta(seconds=1))
    assert not wired.revocations.is_revoked(next_second, NOW + timedelta(seconds=1))
    assert not wired.revocations.is_revoked(_claims(user="u2", issued_before_event=timedelta(minutes=5)), NOW)


async def test_the_metrics_count_logins_refreshes_lockouts_and_throttled_requests() -> None:
    wired = _Wired()
    events = [
        an_audit_event(type=AuditEventType.LOGIN_SUCCEEDED, data={}),
        an_audit_event(type=AuditEventType.LOGIN_FAILED, data={"reason": "invalid_credentials"}),
        an_audit_event(type=AuditEventType.LOGIN_FAILED, data={"reason": "invalid_credentials", "locked": True}),
        an_audit_event(type=AuditEventType.LOGIN_FAILED, data={"reason": "account_disabled"}),
        an_audit_event(type=AuditEventType.LOGIN_THROTTLED, data={"reason": "locked"}),
        an_audit_event(type=AuditEventType.PASSWORD_CHECK_FAILED, data={"reason": "wrong_password", "locked": True}),
        an_audit_event(type=AuditEventType.PASSWORD_CHECK_FAILED, data={"reason": "wrong_password"}),
        an_audit_event(type=AuditEventType.TOKEN_REFRESHED, data={"replay": False}),
        an_audit_event(type=AuditEventType.TOKEN_REUSE_DETECTED, data={}),
        an_audit_event(type=AuditEventType.PASSWORD_CHANGED, data={"locked": True}),
        RequestThrottled(limit="sensitive", occurred_at=NOW),
    ]

    await wired.bus.publish(events)

    assert wired.metrics.counted == [
        ("login", "success"),
        ("login", "invalid_credentials"),
        ("login", "invalid_credentials"),
        ("lockout",),
        ("login", "account_disabled"),
        ("login", "locked"),
        ("lockout",),
        ("refresh", "success"),
        ("refresh", "reuse_detected"),
        ("rate_limited", "sensitive"),
    ]


async def test_the_metrics_count_second_factor_codes_checked_at_login() -> None:
    wired = _Wired()
    events = [
        an_audit_event(type=AuditEventType.LOGIN_SUCCEEDED, data={"mfa_method": "totp"}),
        an_audit_event(type=AuditEventType.LOGIN_SUCCEEDED, data={"mfa_method": "recovery_code"}),
        an_audit_event(
            type=AuditEventType.MFA_FAILED, data={"purpose": "login", "reason": "wrong_code", "method": "totp"}
        ),
        an_audit_event(
            type=AuditEventType.MFA_FAILED,
            data={"purpose": "login", "reason": "wrong_code", "method": "recovery_code", "locked": True},
        ),
        an_audit_event(type=AuditEventType.MFA_FAILED, data={"purpose": "login", "reason": "locked", "method": "totp"}),
        an_audit_event(
            type=AuditEventType.MFA_FAILED, data={"purpose": "mfa_disable", "reason": "wrong_code", "method": "totp"}
        ),
    ]

    await wired.bus.publish(events)

    assert wired.metrics.counted == [
        ("login", "success"),
        ("mfa", "totp", "success"),
        ("login", "success"),
        ("mfa", "recovery_code", "success"),
        ("mfa", "totp", "failure"),
        ("lockout",),
        ("mfa", "recovery_code", "failure"),
        ("mfa", "totp", "locked"),
    ]


async def test_the_metrics_count_passkeys_at_both_kinds_of_login() -> None:
    wired = _Wired()
    events = [
        an_audit_event(type=AuditEventType.LOGIN_SUCCEEDED, data={"method": "passkey"}),
        an_audit_event(type=AuditEventType.PASSKEY_FAILED, data={"purpose": "login", "reason": "bad_assertion"}),
        an_audit_event(type=AuditEventType.LOGIN_SUCCEEDED, data={"mfa_method": "webauthn"}),
        an_audit_event(type=AuditEventType.PASSKEY_FAILED, data={"purpose": "login_mfa", "reason": "other_account"}),
    ]

    await wired.bus.publish(events)

    assert wired.metrics.counted == [
        ("login", "success"),
        ("login", "passkey_failed"),
        ("login", "success"),
        ("mfa", "webauthn", "success"),
        ("mfa", "webauthn", "failure"),
    ]


async def test_the_metrics_count_api_key_checks_and_client_credentials_grants_by_result() -> None:
    wired = _Wired()
    events = [
        ApiKeyChecked(result="success", occurred_at=NOW),
        ClientCredentialsChecked(result="success", occurred_at=NOW),
        ClientCredentialsChecked(result="invalid_client", occurred_at=NOW),
        ClientCredentialsChecked(result="invalid_scope", occurred_at=NOW),
    ]

    await wired.bus.publish(events)

    assert wired.metrics.counted == [
        ("api_key_auth", "success"),
        ("client_credentials", "success"),
        ("client_credentials", "invalid_client"),
        ("client_credentials", "invalid_scope"),
    ]


async def test_a_refused_grant_is_audited_but_counted_only_through_its_own_event() -> None:
    wired = _Wired()
    refused = an_audit_event(
        type=AuditEventType.SERVICE_ACCOUNT_REFUSED, data={"client_id": "svc_x", "reason": "wrong_secret"}
    )

    await wired.bus.publish([refused])

    assert wired.logged == [refused]
    assert wired.metrics.counted == []
