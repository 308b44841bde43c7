"""Domain events: the public vocabulary of what happened, published after the change commits.

Use cases record events on their unit of work; once the transaction commits, the message bus
(`application.messagebus`) hands each event to its subscribers, in the order they were recorded.
A transaction that rolls back publishes nothing. Subscribers: the audit log lines, the revocation
list, the login-attempt counter and the metrics (`bastion_*_total`). Webhooks are not subscribers:
the commit itself queues them in the outbox (`domain.webhooks`), so that a process dying after the
commit loses none.

| event | what happened | subscribers |
| --- | --- | --- |
| `AuditEvent` (`domain.audit`) | something security-relevant, of one of the audit types (`user.registered`, `login.succeeded`, `login.failed`, `login.throttled`, `token.refreshed`, `token.reuse_detected`, `logout`, `password.changed`, `password.reset_requested`, `password.reset`, `email.verified`, `user.updated`, `user.updated_by_admin`, `user.unlocked`, `sessions.revoked`, `user.deleted`, `mfa.enabled`, `mfa.disabled`, `mfa.failed`, `mfa.recovery_code_used`, `mfa.recovery_codes_regenerated`, `mfa.reset_by_admin`, `passkey.registered`, `passkey.renamed`, `passkey.deleted`, `passkey.failed`, `api_key.created`, `api_key.revoked`, `api_key.refused`, `service_account.created`, `service_account.deleted`, `service_account.secret_rotated`, `service_account.refused`, `oauth.login`, `oauth.linked`, `oauth.unlinked`, `oauth.refused`); stored in the audit trail by the same transaction | one JSON log line on `bastion.audit`; the metrics |
| `SessionsRevoked` | sessions ended (or API keys were revoked: their ids stand where sessions' do): their access tokens must stop working at once | the revocation list |
| `UserRevoked` | every access token of a user issued until now must stop working | the revocation list |
| `RolesChanged` | an administrator changed a user's roles: every access token issued until now carries the old ones and must die (new tokens carry the new roles) | the revocation list |
| `LoginAttemptsCleared` | an account's failed-login counts are forgotten (its lockout is lifted) | the login-attempt counter |
| `RequestThrottled` | a client's request was refused by a rate limit (published at once: nothing is committed) | the metrics |
| `ApiKeyChecked` | a request presented an API key, accepted or refused (published at once) | the metrics |
| `ClientCredentialsChecked` | a client asked for a token by the client credentials grant, granted or refused (published at once) | the metrics |

Events are frozen dataclasses of domain values only, so that any subscriber may keep them.
"""  # noqa: E501 - a table reads better unbroken

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.ids import SessionId, UserId


class DomainEvent:
    """The base of every event; subclasses are frozen dataclasses."""

    __slots__ = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionsRevoked(DomainEvent):
    """These sessions were revoked at `occurred_at`; every access token carrying one of them must die."""

    session_ids: tuple[SessionId, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRevoked(DomainEvent):
    """Every access token of the user issued before `occurred_at` must die (deactivation, deletion,
    password reset, logout everywhere): this also covers a session being created at that moment."""

    user_id: UserId
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RolesChanged(DomainEvent):
    """The user's roles became `roles` at `occurred_at`: every access token issued until then carries
    the old roles (which gateways may trust) and must die; the sessions go on, and the tokens they
    are refreshed into carry the new roles."""

    user_id: UserId
    roles: frozenset[str]
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginAttemptsCleared(DomainEvent):
    """The failed logins counted against these identifiers (an account's email and username, as
    stored) are forgotten: a password reset or an administrator lifted the lockout."""

    identifiers: tuple[str, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestThrottled(DomainEvent):
    """A client's request was refused at `occurred_at` by the rate limit named `limit`."""

    limit: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKeyChecked(DomainEvent):
    """A request presented an API key at `occurred_at`: `result` is `success` or the refusal's reason
    (published at once, like `RequestThrottled`: a check commits nothing)."""

    result: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientCredentialsChecked(DomainEvent):
    """A client asked for a token by the client credentials grant at `occurred_at`: `result` is
    `success` or the refusal's OAuth2 error (`invalid_client`, `invalid_scope`), published at once
    like `ApiKeyChecked` (a grant commits nothing, unless a refusal is audited)."""

    result: str
    occurred_at: datetime


def api_keys_revoked(key_ids: Iterable[str], now: datetime) -> SessionsRevoked:
    """The event of revoking these API keys at `now`. A key's id stands in the revocation list where
    a session's does (both are random UUIDs), so a revoked key dies on every process through the
    same machinery as a session, within the same time."""
    return SessionsRevoked(session_ids=tuple(SessionId(key_id) for key_id in key_ids), occurred_at=now)


RevocationEvent = SessionsRevoked | UserRevoked | RolesChanged


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRevocation:
    """A revocation event as the revocation log keeps it, under the log's own increasing id.

    The unit of work stores every revocation event in the same transaction as the change, so every
    process can learn of it from the database (and a restarted one can seed itself from it)."""

    id: int
    event: RevocationEvent


def revocations_among(events: Iterable[DomainEvent]) -> list[RevocationEvent]:
    """The revocation events among `events`, in order, a `SessionsRevoked` split into one per
    session: the entries of the revocation log."""
    found: list[RevocationEvent] = []
    for event in events:
        if isinstance(event, SessionsRevoked):
            found.extend(
                SessionsRevoked(session_ids=(sid,), occurred_at=event.occurred_at) for sid in event.session_ids
            )
        elif isinstance(event, UserRevoked | RolesChanged):
            found.append(event)
    return found


def all_access_revoked(user_id: UserId, session_ids: Iterable[SessionId], now: datetime) -> tuple[DomainEvent, ...]:
    """The events of ending every way a user holds access at `now`: the sessions just revoked, and
    every access token issued before (which also covers a session being created at that moment)."""
    return (
        SessionsRevoked(session_ids=tuple(session_ids), occurred_at=now),
        UserRevoked(user_id=user_id, occurred_at=now),
    )
