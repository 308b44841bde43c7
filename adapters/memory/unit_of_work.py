"""MemoryUnitOfWork: serialisable transactions over a MemoryStore."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from adapters.memory.repositories import MemoryRefreshTokenRepository, MemorySessionRepository, MemoryUserRepository
from adapters.memory.store import MemoryStore
from application.unit_of_work import UnitOfWork


class MemoryUnitOfWork(UnitOfWork):
    """Works on private copies of the store's dicts and swaps them in on commit.

    The store's lock is held from `__aenter__` to `__aexit__`, so transactions run one at a time.
    """

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._committed = False

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self._users = dict(self._store.users)
        self._sessions = dict(self._store.sessions)
        self._tokens = dict(self._store.refresh_tokens)
        self.users = MemoryUserRepository(self._users)
        self.sessions = MemorySessionRepository(self._sessions)
        self.refresh_tokens = MemoryRefreshTokenRepository(self._tokens)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._store.lock.release()

    async def commit(self) -> None:
        self._store.users = self._users
        self._store.sessions = self._sessions
        self._store.refresh_tokens = self._tokens
        self._store.commits += 1
        # Later changes in the same block start from what was just committed.
        self._users = dict(self._users)
        self._sessions = dict(self._sessions)
        self._tokens = dict(self._tokens)
        self.users = MemoryUserRepository(self._users)
        self.sessions = MemorySessionRepository(self._sessions)
        self.refresh_tokens = MemoryRefreshTokenRepository(self._tokens)

    async def ping(self) -> bool:
        return True
