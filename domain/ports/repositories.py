"""The repository ports: what a unit of work stores.

Each `...Reader` is the reading half of a repository, all that a read-only unit of work hands out;
the repository extends it with the writes (`UserRepository(UserReader)`, `AuditLog(AuditReader)`),
so one implementation serves both. Refresh tokens and the outbox are only used in transactions and
have no reader.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.account_values import Email, Username
from domain.accounts import User
from domain.audit import AuditEvent, AuditEventType
from domain.events import RecordedRevocation
from domain.ids import SessionId, UserId
from domain.mail import OutboxMessage
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.paging import Page
from domain.second_factor import MfaChallenge, SecondFactor
from domain.sessions import RefreshToken, Session
from domain.tasks import Task, TaskId


class UserReader(Protocol):
    """Stored accounts, read. Emails and usernames are unique and compared case-insensitively."""

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
    async def search(self, query: str | None, page: Page) -> tuple[list[User], int]:
        """A page of accounts, oldest first (ties by id), whose email or username contains `query`
        (ignoring case; every account when None), and how many match in all."""


class UserRepository(UserReader, Protocol):
    """Stored accounts, read and written. Emails and usernames are unique and compared case-insensitively."""

    @abstractmethod
    async def add(self, user: User) -> None:
        """Store a new account. After a conflict the transaction remains usable.

        Raises:
            EmailTakenError: another account has this email (ignoring case).
            UsernameTakenError: another account has this username (ignoring case).
        """

    @abstractmethod
    async def locked(self, user_id: UserId) -> User | None:
        """The account with this id, or None, locked until the transaction ends: a concurrent
        transaction that asks for it `locked` waits, and then reads what this one committed (a rule
        over several rows of one account, such as its last way to log in, then holds)."""

    @abstractmethod
    async def delete(self, user_id: UserId) -> None:
        """Delete the account and everything stored for it (sessions, refresh and mailed tokens, its
        second factors, passkeys, API keys, linked identities and tasks); an unknown id changes nothing."""

    @abstractmethod
    async def update(self, user: User) -> None:
        """Store the changed fields of an existing account; an unknown id changes nothing.

        Raises:
            EmailTakenError: the new email belongs to another account.
            UsernameTakenError: the new username belongs to another account.
        """


class SessionReader(Protocol):
    """Stored sessions (refresh-token families), read."""

    @abstractmethod
    async def get(self, session_id: SessionId) -> Session | None:
        """The session with this id, revoked or not, or None."""

    @abstractmethod
    async def active_for_user(self, user_id: UserId, now: datetime) -> list[Session]:
        """The user's sessions that are neither revoked nor expired at `now`, newest first."""

    @abstractmethod
    async def all_for_user(self, user_id: UserId) -> list[Session]:
        """Every stored session of the user, revoked and expired ones too, newest first."""

    @abstractmethod
    async def revoked_since(self, since: datetime) -> list[SessionId]:
        """The ids of the sessions revoked at or after `since`, in any order."""


class SessionRepository(SessionReader, Protocol):
    """Stored sessions (refresh-token families), read and written."""

    @abstractmethod
    async def add(self, session: Session) -> None:
        """Store a new session of an existing user."""

    @abstractmethod
    async def revoke(self, session_id: SessionId, now: datetime) -> bool:
        """Revoke one session; True if it was not revoked before. Revoking twice changes nothing."""

    @abstractmethod
    async def revoke_all_for_user(
        self, user_id: UserId, now: datetime, *, keep: SessionId | None = None
    ) -> list[SessionId]:
        """Revoke every session of the user not revoked yet, except `keep`; the ids that this call
        revoked, in any order."""


@dataclass(frozen=True, slots=True)
class RefreshTokenLookup:
    """A stored refresh token with its session and its user, each None when no longer stored."""

    token: RefreshToken
    session: Session | None
    user: User | None


class RefreshTokenRepository(Protocol):
    """Stored refresh tokens, known only by the hash of their value."""

    @abstractmethod
    async def add(self, token: RefreshToken) -> None:
        """Store a new refresh token of an existing session. Adding a hash already stored changes nothing."""

    @abstractmethod
    async def get(self, token_hash: str) -> RefreshToken | None:
        """The token with this hash, used or not, or None."""

    @abstractmethod
    async def lookup(self, token_hash: str) -> RefreshTokenLookup | None:
        """The token with this hash, used or not, with its session and its user, read at once (one
        read of the store: all three as of one moment); None for an unknown hash."""

    @abstractmethod
    async def rotate(self, token_hash: str, successor: RefreshToken, now: datetime) -> bool:
        """Use up the unused token `token_hash` at `now`, store `successor` (the next token of its
        session) and record the use on the session (last use `now`, expiry the successor's), all at
        once: the three changes happen together or not at all.

        True for exactly one caller per token, however many run concurrently in any number of
        processes; False, changing nothing, when the token was already used (or does not exist).
        """


class OneTimeTokenReader(Protocol):
    """Stored single-use tokens (password reset, email verification), known only by their hash, read."""

    @abstractmethod
    async def get(self, token_hash: str) -> OneTimeToken | None:
        """The token with this hash, used or not, or None."""


class OneTimeTokenRepository(OneTimeTokenReader, Protocol):
    """Stored single-use tokens (password reset, email verification), known only by their hash, read and written."""

    @abstractmethod
    async def add(self, token: OneTimeToken) -> None:
        """Store a new token of an existing user."""

    @abstractmethod
    async def use(self, token_hash: str, purpose: TokenPurpose, now: datetime) -> bool:
        """Mark the token used at `now` if it has this purpose, is unused and has not expired at `now`.

        True for exactly one caller per token, however many run concurrently; False otherwise.
        """

    @abstractmethod
    async def invalidate_for_user(self, user_id: UserId, purpose: TokenPurpose, now: datetime) -> int:
        """Mark every unused token of the user with this purpose used at `now`; how many were."""


class SecondFactorReader(Protocol):
    """The second factors of accounts (a TOTP secret, sealed, and recovery code hashes), read."""

    @abstractmethod
    async def get(self, user_id: UserId) -> SecondFactor | None:
        """The account's second factor, pending or active, with its recovery codes, or None."""


class SecondFactorRepository(SecondFactorReader, Protocol):
    """The second factors of accounts, read and written; one per account, deleted with it."""

    @abstractmethod
    async def save(self, factor: SecondFactor) -> None:
        """Store the account's second factor as given, recovery codes included, replacing any stored
        one (pending or active) of the same account."""

    @abstractmethod
    async def delete(self, user_id: UserId) -> bool:
        """Delete the account's second factor and its recovery codes; False when there was none."""

    @abstractmethod
    async def advance_step(self, user_id: UserId, step: int) -> bool:
        """Record `step` as the last accepted TOTP step of the account's active factor, if it is later
        than the one recorded. True for exactly one caller per step, however many run concurrently;
        False, changing nothing, otherwise (an earlier or equal step, no active factor)."""

    @abstractmethod
    async def use_recovery_code(self, user_id: UserId, code_hash: str, now: datetime) -> bool:
        """Mark the account's unused recovery code with this hash used at `now`. True for exactly one
        caller per code, however many run concurrently; False otherwise."""


class MfaChallengeRepository(Protocol):
    """The second steps of logins, known only by the hash of their `mfa_token`."""

    @abstractmethod
    async def add(self, challenge: MfaChallenge) -> None:
        """Store a new challenge of an existing user."""

    @abstractmethod
    async def get(self, token_hash: str) -> MfaChallenge | None:
        """The challenge with this hash as stored (whatever its state), or None; counts nothing."""

    @abstractmethod
    async def try_once(self, token_hash: str, now: datetime) -> MfaChallenge | None:
        """Count one try on the challenge with this hash if it may still be tried at `now`
        (`MfaChallenge.may_try`), and return it as counted; None, changing nothing, otherwise.
        However many tries run concurrently, no more than the limit are ever counted."""

    @abstractmethod
    async def use(self, token_hash: str, now: datetime) -> bool:
        """Mark the unused, unexpired challenge used at `now`. True for exactly one caller per
        challenge, however many run concurrently; False otherwise."""


class RevocationLogReader(Protocol):
    """The revocation events the units of work stored, read (see `UnitOfWork`)."""

    @abstractmethod
    async def since(self, moment: datetime, *, after_id: int = 0, limit: int) -> list[RecordedRevocation]:
        """Up to `limit` stored revocations with an id above `after_id` that occurred at or after
        `moment`, by increasing id. A `SessionsRevoked` comes back as one per session."""


class RevocationLog(RevocationLogReader, Protocol):
    """The revocation log, read and pruned (its entries are written by the unit of work's commit)."""

    @abstractmethod
    async def prune(self, before: datetime) -> int:
        """Forget the revocations that occurred before `before`; how many were."""


class Outbox(Protocol):
    """Mail and webhooks to send, written in the same transaction as the change that causes them."""

    @abstractmethod
    async def add(self, message: OutboxMessage, now: datetime) -> str:
        """Queue `message` for delivery from `now` on; its id (a new one for mail, the message's own
        for a webhook). It is only delivered if the transaction commits."""

    @abstractmethod
    async def purge_webhooks(self, before: datetime) -> int:
        """Delete the webhooks created before `before` that were sent or given up (pending ones
        stay); how many. Mail is kept."""


class TaskReader(Protocol):
    """Stored tasks, read. Every read is scoped to an owner: another user's task does not exist."""

    @abstractmethod
    async def get(self, task_id: TaskId, owner_id: UserId) -> Task | None:
        """The owner's task with this id, or None (also when it belongs to someone else)."""

    @abstractmethod
    async def list(self, owner_id: UserId, *, completed: bool | None, page: Page) -> tuple[list[Task], int]:
        """A page of the owner's tasks, newest first (ties by id), optionally only (un)completed ones,
        and how many match in all."""

    @abstractmethod
    async def counts(self, owner_id: UserId) -> tuple[int, int]:
        """How many tasks the owner has, and how many of them are completed."""


class TaskRepository(TaskReader, Protocol):
    """Stored tasks, read and written. Every read and write is scoped to an owner: another user's
    task does not exist."""

    @abstractmethod
    async def add(self, task: Task) -> None:
        """Store a new task of an existing user."""

    @abstractmethod
    async def update(self, task: Task) -> None:
        """Store the changed fields of the owner's existing task; anything else changes nothing."""

    @abstractmethod
    async def delete(self, task_id: TaskId, owner_id: UserId) -> bool:
        """Delete the owner's task; False when the owner has no such task."""


@dataclass(frozen=True, slots=True)
class AccountOverview:
    """An account with the task counts shown beside it."""

    user: User
    task_count: int
    completed_task_count: int


class AccountOverviews(Protocol):
    """A read model for the profile view: what the users and tasks repositories hold about one
    account, read at once (one read of the store: the account and its counts as of one moment),
    so that it agrees with itself even where two reads may see two different moments."""

    @abstractmethod
    async def get(self, user_id: UserId) -> AccountOverview | None:
        """The account with how many tasks it has and how many of them are completed, or None."""


class AuditReader(Protocol):
    """The audit trail, read."""

    @abstractmethod
    async def search(
        self, *, user_id: UserId | None, type_: AuditEventType | None, page: Page
    ) -> tuple[list[AuditEvent], int]:
        """A page of events, newest first (ties by id), optionally of one user and/or one type, and
        how many match in all."""


class AuditLog(AuditReader, Protocol):
    """The audit trail, written in the same transaction as the change each event records, and read."""

    @abstractmethod
    async def add(self, event: AuditEvent) -> None:
        """Record an event; it is kept only if the transaction commits."""

    @abstractmethod
    async def purge(self, before: datetime) -> int:
        """Delete the events created before `before` (the retention period); how many were."""

    @abstractmethod
    async def forget_personal_data(self, user_id: UserId) -> int:
        """Remove the personal data (client IP address and user agent) from every event of the user,
        keeping the events themselves; how many events were changed."""
