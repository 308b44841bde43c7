"""The UnitOfWork port: one transaction over the repositories."""

from __future__ import annotations

from abc import abstractmethod
from types import TracebackType
from typing import Protocol, Self

from domain.events import DomainEvent
from domain.ports.repositories import (
    AccountOverviews,
    AuditLog,
    OneTimeTokenRepository,
    Outbox,
    RefreshTokenRepository,
    SessionRepository,
    TaskRepository,
    UserRepository,
)


class UnitOfWork(Protocol):
    """One transaction across the repositories.

    Each `async with` opens a fresh transaction; leaving the block without `commit()` rolls it
    back, and so does an exception. The domain events of a transaction are published after it
    commits (`record`, `commit`). One instance may be entered again sequentially, never
    concurrently. Repositories are only usable inside the block.
    """

    users: UserRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository
    one_time_tokens: OneTimeTokenRepository
    outbox: Outbox
    tasks: TaskRepository
    audit: AuditLog
    overviews: AccountOverviews

    @abstractmethod
    async def __aenter__(self) -> Self:
        """Begin a transaction."""

    @abstractmethod
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed and release the transaction."""

    @abstractmethod
    def reading(self) -> Self:
        """This unit of work, for the next `async with` block only, for reading: it takes no lock (so
        on SQLite readers never queue behind a writer), `commit()` inside it raises `RuntimeError`,
        and on a database each statement sees what was committed when it ran (as under PostgreSQL's
        READ COMMITTED): read what must agree with one statement."""

    @abstractmethod
    def record(self, *events: DomainEvent) -> None:
        """Publish `events` once this transaction commits (never if it rolls back)."""

    @abstractmethod
    async def commit(self) -> None:
        """Make the changes of this transaction durable and visible, then publish its events.

        The events are those recorded with `record` and the audit events added to `audit`, in the
        order they were recorded or added, published once each to the unit of work's `EventPublisher`; a failed
        commit publishes nothing. The block may go on after `commit()`: what follows is a new
        transaction with events of its own.

        Raises:
            EmailTakenError: a uniqueness rule on email was broken by a concurrent transaction.
            UsernameTakenError: the same for usernames.
        """

    @abstractmethod
    async def ping(self) -> bool:
        """True when the store answers (used by readiness checks); never raises."""
