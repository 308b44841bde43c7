"""The memory units of work: `MemoryUnitOfWork`, serialisable transactions over a MemoryStore, and
`MemoryReadOnlyUnitOfWork`, reads of what it has committed."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from adapters.memory.api_keys import MemoryApiKeyRepository
from adapters.memory.audit_log import MemoryAuditLog
from adapters.memory.identities import MemoryIdentityRepository, MemoryOAuthFlowRepository
from adapters.memory.passkeys import MemoryPasskeyRepository, MemoryWebAuthnChallengeRepository
from adapters.memory.repositories import (
    MemoryOneTimeTokenRepository,
    MemoryOutbox,
    MemoryRefreshTokenRepository,
    MemoryRevocationLog,
    MemorySessionRepository,
    MemoryUserRepository,
)
from adapters.memory.second_factors import MemoryMfaChallengeRepository, MemorySecondFactorRepository
from adapters.memory.service_accounts import MemoryServiceAccountRepository
from adapters.memory.store import MemoryStore
from adapters.memory.tasks import MemoryAccountOverviews, MemoryTaskRepository, delete_tasks_of
from application.messagebus import EventPublisher
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.events import DomainEvent
from domain.ids import UserId
from domain.webhooks import WebhookSubscription


class _OwnedByUser(Protocol):
    @property
    def user_id(self) -> UserId | None: ...


OwnedT = TypeVar("OwnedT", bound=_OwnedByUser)


def _delete_owned_by(entries: dict[Any, OwnedT], user_id: UserId) -> None:
    for key in [key for key, entry in entries.items() if entry.user_id == user_id]:
        del entries[key]


def _never_deletes(user_id: UserId) -> None:
    # Unreachable through the port: a read-only unit of work hands its users out as `UserReader`.
    raise RuntimeError(f"a read-only unit of work cannot delete user {user_id}")


class MemoryReadOnlyUnitOfWork(ReadOnlyUnitOfWork):
    """Reads the store's committed dicts in place, without copying them.

    The store's lock is held from `__aenter__` to `__aexit__`, as a transaction holds it, so
    nothing commits or changes the dicts meanwhile and every read of a block sees one state; the
    repositories hand out copies of the entities, so nothing read can change the store.
    """

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        store = self._store
        await store.lock.acquire()
        self.users = MemoryUserRepository(store.users, delete_owned=_never_deletes)
        self.sessions = MemorySessionRepository(store.sessions)
        self.one_time_tokens = MemoryOneTimeTokenRepository(store.one_time_tokens)
        self.tasks = MemoryTaskRepository(store.tasks)
        self.audit = MemoryAuditLog(store.audit_events)
        self.overviews = MemoryAccountOverviews(store.users, store.tasks)
        self.revocation_log = MemoryRevocationLog(store.revocation_log)
        self.second_factors = MemorySecondFactorRepository(store.second_factors)
        self.passkeys = MemoryPasskeyRepository(store.passkeys)
        self.api_keys = MemoryApiKeyRepository(store.api_keys)
        self.service_accounts = MemoryServiceAccountRepository(store.service_accounts, delete_tasks=_never_deletes)
        self.identities = MemoryIdentityRepository(store.identities)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._store.lock.release()


class MemoryUnitOfWork(UnitOfWork):
    """Works on private copies of the store's dicts and swaps them in on commit.

    The store's lock is held from `__aenter__` to `__aexit__`, so transactions run one at a time.
    Events recorded and audit events added since the transaction began go to `publisher` right
    after the commit that stores them; those of a transaction left without `commit()` are dropped.
    The webhooks of the audit events `webhooks` wants are added to the outbox by the commit, with them.
    Audit events stay when their user is deleted.
    """

    def __init__(
        self, store: MemoryStore, publisher: EventPublisher, webhooks: WebhookSubscription | None = None
    ) -> None:
        self._store, self._publisher, self._webhooks = store, publisher, webhooks

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self._begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._store.lock.release()

    async def commit(self) -> None:
        self.revocation_log.store(self._events)
        if self._webhooks is not None:
            await self._webhooks.queue(self.outbox, self._events)
        self._store.revocation_log = self._revocation_log
        self._store.users = self._users
        self._store.sessions = self._sessions
        self._store.refresh_tokens = self._tokens
        self._store.one_time_tokens = self._one_time_tokens
        self._store.outbox = self._outbox
        self._store.tasks = self._tasks
        self._store.audit_events = self._audit_events
        self._store.second_factors = self._second_factors
        self._store.mfa_challenges = self._mfa_challenges
        self._store.passkeys = self._passkeys
        self._store.webauthn_challenges = self._webauthn_challenges
        self._store.api_keys = self._api_keys
        self._store.service_accounts = self._service_accounts
        self._store.identities = self._identities
        self._store.oauth_flows = self._oauth_flows
        self._store.commits += 1
        committed_events = self._events
        # Later changes in the same block start from what was just committed.
        self._begin()
        await self._publisher.publish(committed_events)

    def record(self, *events: DomainEvent) -> None:
        self._events.extend(events)

    async def ping(self) -> bool:
        return True

    def _begin(self) -> None:
        # The outbox's records are shared, not copied: a transaction only ever adds records, and
        # `MemoryOutboxQueue` changes them only while it holds the lock, so never during a transaction.
        self._users = dict(self._store.users)
        self._sessions = dict(self._store.sessions)
        self._tokens = dict(self._store.refresh_tokens)
        self._one_time_tokens = dict(self._store.one_time_tokens)
        self._outbox = dict(self._store.outbox)
        self._audit_events = dict(self._store.audit_events)
        self._events: list[DomainEvent] = []
        self._tasks = dict(self._store.tasks)
        self._revocation_log = list(self._store.revocation_log)
        self._second_factors = dict(self._store.second_factors)
        self._mfa_challenges = dict(self._store.mfa_challenges)
        self._passkeys = dict(self._store.passkeys)
        self._webauthn_challenges = dict(self._store.webauthn_challenges)
        self._api_keys = dict(self._store.api_keys)
        self._service_accounts = dict(self._store.service_accounts)
        self._identities = dict(self._store.identities)
        self._oauth_flows = dict(self._store.oauth_flows)
        self.users = MemoryUserRepository(self._users, delete_owned=self._delete_owned_by)
        self.sessions = MemorySessionRepository(self._sessions)
        self.refresh_tokens = MemoryRefreshTokenRepository(self._tokens, self._sessions, self._users)
        self.one_time_tokens = MemoryOneTimeTokenRepository(self._one_time_tokens)
        self.outbox = MemoryOutbox(self._outbox)
        self.audit = MemoryAuditLog(self._audit_events, on_add=self._events.append)
        self.tasks = MemoryTaskRepository(self._tasks)
        self.overviews = MemoryAccountOverviews(self._users, self._tasks)
        self.revocation_log = MemoryRevocationLog(self._revocation_log)
        self.second_factors = MemorySecondFactorRepository(self._second_factors)
        self.mfa_challenges = MemoryMfaChallengeRepository(self._mfa_challenges)
        self.passkeys = MemoryPasskeyRepository(self._passkeys)
        self.webauthn_challenges = MemoryWebAuthnChallengeRepository(self._webauthn_challenges)
        self.api_keys = MemoryApiKeyRepository(self._api_keys)
        self.service_accounts = MemoryServiceAccountRepository(
            self._service_accounts, delete_tasks=lambda owner_id: delete_tasks_of(self._tasks, owner_id)
        )
        self.identities = MemoryIdentityRepository(self._identities)
        self.oauth_flows = MemoryOAuthFlowRepository(self._oauth_flows)

    def _delete_owned_by(self, user_id: UserId) -> None:
        _delete_owned_by(self._sessions, user_id)
        _delete_owned_by(self._tokens, user_id)
        _delete_owned_by(self._one_time_tokens, user_id)
        _delete_owned_by(self._second_factors, user_id)
        _delete_owned_by(self._mfa_challenges, user_id)
        _delete_owned_by(self._passkeys, user_id)
        _delete_owned_by(self._webauthn_challenges, user_id)
        _delete_owned_by(self._api_keys, user_id)
        _delete_owned_by(self._identities, user_id)
        _delete_owned_by(self._oauth_flows, user_id)
        delete_tasks_of(self._tasks, user_id)
