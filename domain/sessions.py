"""Sessions, refresh tokens and access claims, with the lifetimes and the rotation rule that govern them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum, StrEnum

from domain.ids import SessionId, UserId, new_session_id


@dataclass(slots=True, kw_only=True)
class Session:
    """A login on one device: the family that all its rotated refresh tokens belong to."""

    id: SessionId
    user_id: UserId
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    revoked_at: datetime | None = None
    # How the login that started the session authenticated (RFC 8176 values); kept by its refreshes.
    amr: tuple[str, ...] = ("pwd",)

    @classmethod
    def start(
        cls,
        *,
        user_id: UserId,
        now: datetime,
        ttl: timedelta,
        ip: str | None,
        user_agent: str | None,
        amr: tuple[str, ...] = ("pwd",),
    ) -> Session:
        return cls(
            id=new_session_id(),
            user_id=user_id,
            created_at=now,
            last_used_at=now,
            expires_at=now + ttl,
            ip=ip,
            user_agent=user_agent,
            amr=amr,
        )

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def copy(self) -> Session:
        return replace(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshToken:
    """One refresh token of a session, known only by the SHA-256 hash of its value."""

    token_hash: str
    session_id: SessionId
    user_id: UserId
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessClaims:
    """What an access token asserts; `roles` are for display, never for authorisation."""

    subject: UserId
    session_id: SessionId
    roles: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    token_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # RFC 8176 authentication method references of the session's login; () in a token without `amr`.
    amr: tuple[str, ...] = ()
    # Only in a service account's token (client credentials grant): its public client id and its
    # scopes (RFC 9068 `client_id`, `scope`). Then `subject` and `session_id` are the account's id.
    client_id: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def is_service(self) -> bool:
        """Whether the token was granted to a service account rather than to a login's session."""
        return self.client_id is not None


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    # Only from a login: the device token to present at the next login from the same device.
    device_token: str | None = None


class PrincipalKind(StrEnum):
    """What a caller authenticated with."""

    # An access token of a login's session: the account's own user.
    SESSION = "session"
    # A personal API key: a script acting for its owner, within the key's scopes.
    API_KEY = "api_key"
    # A service account's access token (client credentials grant): a machine acting as itself,
    # within the account's scopes, exactly as narrowly as an API key.
    SERVICE = "service"


class Access(StrEnum):
    """What a use case needs of its caller (declared by the use case, `access` on its class)."""

    # The account itself: its profile, password, sessions, keys and second factors, and
    # administration. Only a login's session has it: a leaked key can never escalate.
    ACCOUNT = "account"
    TASKS_READ = "tasks:read"
    TASKS_WRITE = "tasks:write"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a login's session (from a valid access token), an API key (then
    `session_id` is the key's id, and `scopes` what the key may do) or a service account (then
    `user_id` and `session_id` are the account's id, and `scopes` those of its token)."""

    user_id: UserId
    session_id: SessionId
    roles: tuple[str, ...]
    amr: tuple[str, ...] = ()
    kind: PrincipalKind = PrincipalKind.SESSION
    scopes: frozenset[str] = frozenset()

    @property
    def used_mfa(self) -> bool:
        """Whether the login behind the token proved a second factor."""
        return "mfa" in self.amr

    def may(self, access: Access) -> bool:
        """Whether this caller may use a use case that needs `access`: a session may use any (the
        account's roles decide the rest), a key or a service account only the task use cases its
        scopes name."""
        if self.kind is PrincipalKind.SESSION:
            return True
        return access is not Access.ACCOUNT and access.value in self.scopes


def derive_successor(token: str, key: bytes) -> str:
    """The refresh token that follows `token` in its session.

    Derived with HMAC so that a replay inside the grace window can be answered with the very same
    successor without the server ever storing a token in clear.
    """
    digest = hmac.new(key, token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class RefreshVerdict(Enum):
    ROTATE = "rotate"
    REPLAY = "replay"
    REUSED = "reused"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPolicy:
    """Lifetimes of tokens and sessions, and the grace window of refresh rotation.

    A session ends `max_lifetime` after its login however often it is refreshed: each refresh token
    lives `refresh_ttl` from its rotation, but never past that end.
    """

    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=7)
    reuse_grace: timedelta = timedelta(seconds=10)
    max_lifetime: timedelta = timedelta(days=30)
    # Verification tolerates some clock skew; revocations outlive the longest-lived token by this much.
    revocation_margin: timedelta = timedelta(minutes=1)

    @property
    def api_key_cache_ttl(self) -> timedelta:
        """How long a process may keep a looked-up API key without reading it again: a minute, and
        never as long as a revocation is remembered (`revocation_until`), so a key revoked elsewhere
        is known revoked from the revocation list until the store says so."""
        return min(timedelta(minutes=1), self.access_ttl)

    def revocation_until(self, now: datetime) -> datetime:
        """How long a revocation made at `now` must be remembered: until every access token issued
        before `now` has expired."""
        return now + self.access_ttl + self.revocation_margin

    def refresh_expiry(self, session: Session, now: datetime) -> datetime:
        """When a refresh token of `session` issued at `now` expires: `refresh_ttl` later, capped at
        the end of the session's lifetime."""
        return min(now + self.refresh_ttl, self.session_end(session))

    def session_end(self, session: Session) -> datetime:
        """The moment `session` ends at the latest, whatever its refreshes."""
        return session.created_at + self.max_lifetime

    def judge_refresh(self, token: RefreshToken, session: Session | None, now: datetime) -> RefreshVerdict:
        """Decide what presenting `token` means.

        - A token whose session is gone, revoked, expired or past its maximum lifetime is invalid.
        - A used token inside the grace window (counted from its first use) is a replay: the
          same successor is handed out again. Later, it is theft and the session must end,
          even when the token itself is past its expiry (late replays are still detected).
        - An unused token is rotated unless it has expired.
        """
        if session is None or not session.is_active(now) or now >= self.session_end(session):
            return RefreshVerdict.INVALID
        if token.used_at is not None:
            if self.reuse_grace > timedelta(0) and now - token.used_at <= self.reuse_grace:
                return RefreshVerdict.REPLAY
            return RefreshVerdict.REUSED
        if now >= token.expires_at:
            return RefreshVerdict.INVALID
        return RefreshVerdict.ROTATE
