"""The unit-of-work ports: one transaction over the repositories, and reads outside any transaction.

Use cases that only read take a `ReadOnlyUnitOfWork`: it hands out only the reading half of each
repository and has no `commit`, so a write on a read path does not type-check.
"""

from __future__ import annotations

from abc import abstractmethod
from types import TracebackType
from typing import Protocol, Self

from domain.events import DomainEvent
from domain.ports.api_key_repositories import ApiKeyReader, ApiKeyRepository
from domain.ports.identity_repositories import IdentityReader, IdentityRepository, OAuthFlowRepository
from domain.ports.passkey_repositories import PasskeyReader, PasskeyRepository, WebAuthnChallengeRepository
from domain.ports.repositories import (
    AccountOverviews,
    AuditLog,
    AuditReader,
    MfaChallengeRepository,
    OneTimeTokenReader,
    OneTimeTokenRepository,
    Outbox,
    RefreshTokenRepository,
    RevocationLog,
    RevocationLogReader,
    SecondFactorReader,
    SecondFactorRepository,
    SessionReader,
    SessionRepository,
    TaskReader,
    TaskRepository,
    UserReader,
    UserRepository,
)
from domain.ports.service_account_repositories import ServiceAccountReader, ServiceAccountRepository


class _Block(Protocol):
    """What `async with` needs: the block's object is the unit of work itself."""

    @abstractmethod
    async def __aenter__(self) -> Self:
        """Begin the block: a transaction, or reads."""

    @abstractmethod
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """End the block: roll back whatever was not committed and release what the block held."""


class ReadOnlyUnitOfWork(_Block, Protocol):
    """Reads of committed data across the repositories, outside any transaction.

    - A block sees only committed data, never what a transaction has not committed yet, and
      changes nothing: there is no `commit`, and the repositories are their reading halves.
    - It begins no transaction and takes no write lock, so it never queues behind a writer for one
      (only a store that runs every block one at a time, reads included, makes it wait its turn).
    - Each read sees what was committed when it ran: two reads of one block may see two different
      moments, so what must agree is read in one call (as `overviews` does).
    - One instance may be entered again sequentially, never concurrently. The repositories are
      only usable inside the block.
    """

    users: UserReader
    sessions: SessionReader
    one_time_tokens: OneTimeTokenReader
    tasks: TaskReader
    audit: AuditReader
    overviews: AccountOverviews
    revocation_log: RevocationLogReader
    second_factors: SecondFactorReader
    passkeys: PasskeyReader
    api_keys: ApiKeyReader
    service_accounts: ServiceAccountReader
    identities: IdentityReader


class UnitOfWork(_Block, Protocol):
    """One transaction across the repositories.

    Each `async with` opens a fresh transaction; leaving the block without `commit()` rolls it
    back, and so does an exception. The domain events of a transaction are published after it
    commits (`record`, `commit`). One instance may be entered again sequentially, never
    concurrently. Repositories are only usable inside the block. Reads in it see the transaction's
    own changes and take part in it, with its locks: a use case that only reads takes a
    `ReadOnlyUnitOfWork` instead.

    The revocation events among those recorded (`SessionsRevoked`, `UserRevoked`, `RolesChanged`)
    are also stored in the revocation log by the commit itself, in the same transaction, so a
    revocation is in the database exactly when its change is.
    """

    users: UserRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository
    one_time_tokens: OneTimeTokenRepository
    outbox: Outbox
    tasks: TaskRepository
    audit: AuditLog
    overviews: AccountOverviews
    revocation_log: RevocationLog
    second_factors: SecondFactorRepository
    mfa_challenges: MfaChallengeRepository
    passkeys: PasskeyRepository
    webauthn_challenges: WebAuthnChallengeRepository
    api_keys: ApiKeyRepository
    service_accounts: ServiceAccountRepository
    identities: IdentityRepository
    oauth_flows: OAuthFlowRepository

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
