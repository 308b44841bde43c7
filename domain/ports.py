"""The ports: what the core needs from the world, as Protocols that adapters subclass.

Each docstring is the contract every implementation honours; `tests/contract/` tests exactly
those sentences.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Protocol

from domain.model import (
    AccessClaims,
    AttemptDecision,
    Email,
    PasswordCheck,
    RateDecision,
    RefreshToken,
    Session,
    SessionId,
    User,
    UserId,
    Username,
)


class Clock(Protocol):
    """The time source of the core."""

    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""


class SecretGenerator(Protocol):
    """Unpredictable values for tokens."""

    @abstractmethod
    def token(self) -> str:
        """A fresh URL-safe random string carrying at least 256 bits of entropy."""


class PasswordHasher(Protocol):
    """Slow, salted password hashing. Work runs off the event loop with bounded concurrency.

    Implementations raise no domain error; when the hashing capacity is saturated they raise
    their adapter's unavailability error rather than queueing without bound.
    """

    @abstractmethod
    async def hash(self, password: str) -> str:
        """A new hash of `password` with the current parameters."""

    @abstractmethod
    async def verify(self, password: str, password_hash: str) -> PasswordCheck:
        """Check `password` against `password_hash`.

        An unknown or malformed hash is a failed check, never an exception. `upgraded_hash` is set
        when the password is right and the stored hash uses an outdated scheme or parameters.
        """

    @abstractmethod
    async def verify_dummy(self, password: str) -> None:
        """Spend the same work as one `verify`, for an account that does not exist."""


class TokenIssuer(Protocol):
    """Signs and verifies access tokens (JWTs)."""

    @abstractmethod
    def issue(self, claims: AccessClaims) -> str:
        """A signed access token carrying `claims`."""

    @abstractmethod
    def verify(self, token: str, now: datetime) -> AccessClaims:
        """The claims of a token whose signature, type, issuer, audience and lifetime are valid at `now`.

        Raises:
            TokenExpiredError: the token is past its `exp`.
            TokenInvalidError: anything else is wrong with it.
        """


class UserRepository(Protocol):
    """Stored accounts. Emails and usernames are unique and compared case-insensitively."""

    @abstractmethod
    async def add(self, user: User) -> None:
        """Store a new account. After a conflict the transaction remains usable.

        Raises:
            EmailTakenError: another account has this email (ignoring case).
            UsernameTakenError: another account has this username (ignoring case).
        """

    @abstractmethod
    async def get(self, user_id: UserId) -> User | None:
        """The account with this id, or None."""

    @abstractmethod
    async def by_email(self, email: Email) -> User | None:
        """The account with this email, ignoring case, or None."""

    @abstractmethod
    async def by_username(self, username: Username) -> User | None:
        """The account with this username, ignoring case, or None."""

    @abstractmethod
    async def update(self, user: User) -> None:
        """Store the changed fields of an existing account; an unknown id changes nothing.

        Raises:
            EmailTakenError: the new email belongs to another account.
            UsernameTakenError: the new username belongs to another account.
        """


class SessionRepository(Protocol):
    """Stored sessions (refresh-token families)."""

    @abstractmethod
    async def add(self, session: Session) -> None:
        """Store a new session of an existing user."""

    @abstractmethod
    async def get(self, session_id: SessionId) -> Session | None:
        """The session with this id, revoked or not, or None."""

    @abstractmethod
    async def active_for_user(self, user_id: UserId, now: datetime) -> list[Session]:
        """The user's sessions that are neither revoked nor expired at `now`, newest first."""

    @abstractmethod
    async def touch(self, session_id: SessionId, now: datetime, expires_at: datetime) -> None:
        """Record a use of the session at `now` and move its expiry to `expires_at`; an unknown id changes nothing."""

    @abstractmethod
    async def revoke(self, session_id: SessionId, now: datetime) -> bool:
        """Revoke one session; True if it was not revoked before. Revoking twice changes nothing."""

    @abstractmethod
    async def revoked_since(self, since: datetime) -> list[SessionId]:
        """The ids of the sessions revoked at or after `since`, in any order."""

    @abstractmethod
    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> list[SessionId]:
        """Revoke every session of the user not revoked yet; the ids that this call revoked, in any order."""


class RefreshTokenRepository(Protocol):
    """Stored refresh tokens, known only by the hash of their value."""

    @abstractmethod
    async def add(self, token: RefreshToken) -> None:
        """Store a new refresh token of an existing session. Adding a hash already stored changes nothing."""

    @abstractmethod
    async def get(self, token_hash: str) -> RefreshToken | None:
        """The token with this hash, used or not, or None."""

    @abstractmethod
    async def mark_used(self, token_hash: str, now: datetime) -> bool:
        """Mark an unused token used at `now`, atomically.

        True for exactly one caller per token, however many run concurrently in any number of
        processes; False when the token was already used (or does not exist).
        """


class RateLimiter(Protocol):
    """Counts requests per key in a sliding window: at most `limit` requests pass in any interval of
    length `window`. Keys are opaque strings. Each decision is atomic: however many processes count
    against one key at once, no more requests pass than the limit allows.

    Implementations that depend on a server raise `DependencyUnavailableError` when it does not answer.
    """

    @abstractmethod
    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        """Count one request at `now`; a refused request is not counted (it uses up no allowance)."""


class LoginAttemptCounter(Protocol):
    """Counts login attempts per identifier key, for the lockout.

    An attempt is counted *before* the password is checked, atomically, so parallel guesses cannot
    slip past the limit: of any number of concurrent `begin` calls on one key, at most
    `max_failures` are allowed until a success resets the count or the lockout runs out.
    The count is forgotten `lockout` after the last counted attempt.

    Implementations that depend on a server raise `DependencyUnavailableError` when it does not answer.
    """

    @abstractmethod
    async def begin(self, key: str, *, max_failures: int, lockout: timedelta, now: datetime) -> AttemptDecision:
        """Count one attempt at `now`, unless `max_failures` attempts are already counted: then the key
        is locked and the decision says for how long (a refused attempt extends nothing)."""

    @abstractmethod
    async def succeed(self, key: str) -> None:
        """Forget every attempt counted against `key` (a successful login, or an administrator's unlock)."""


class RevocationList(Protocol):
    """Access tokens that must stop working before they expire: by session, or all of a user's tokens
    issued before a moment. Entries are kept until `until` (the longest any affected token can live).

    `is_revoked` answers from memory, without I/O, so it can run on every request; revocations made
    through one instance are seen by it at once and by every other instance sharing the same store
    shortly after. Writes to a server that does not answer are kept and retried, never dropped.
    """

    @abstractmethod
    async def revoke_sessions(self, session_ids: Collection[SessionId], *, until: datetime) -> None:
        """Revoke every access token carrying one of these session ids."""

    @abstractmethod
    async def revoke_user(self, user_id: UserId, *, issued_before: datetime, until: datetime) -> None:
        """Revoke every access token of the user issued before `issued_before` (whole seconds)."""

    @abstractmethod
    def is_revoked(self, claims: AccessClaims, now: datetime) -> bool:
        """Whether the token with these claims has been revoked (entries past their `until` are gone)."""
