"""SqlUnitOfWork: one database transaction, on one pooled connection, per `async with` block."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

from sqlalchemy import literal_column, select

from adapters.sql.audit_log import SqlAuditLog
from adapters.sql.driver import Database, Statement, Transaction
from adapters.sql.repositories import (
    SqlOneTimeTokenRepository,
    SqlOutbox,
    SqlRefreshTokenRepository,
    SqlSessionRepository,
    SqlUserRepository,
)
from adapters.sql.tasks import SqlAccountOverviews, SqlTaskRepository
from application.messagebus import EventPublisher
from application.unit_of_work import UnitOfWork
from domain.events import DomainEvent

PING_TIMEOUT_S = 5.0
_PING = Statement(select(literal_column("1").label("one")))


class SqlUnitOfWork(UnitOfWork):
    """A transaction over the SQL repositories, on a `Database` from `adapters.sql.driver.open_database`.

    Entering checks a connection out of the pool, so an unreachable database is reported on entry;
    the transaction itself begins with its first statement (on SQLite with `BEGIN IMMEDIATE`, and
    with it the wait for the write lock; a unit of work entered `reading()` sends no BEGIN
    at all and takes no lock). Leaving rolls back anything not committed and returns the
    connection. After `commit()` the block may go on: the next statement begins a new transaction.
    Connection failures surface as `DependencyUnavailableError("database")`.

    Events recorded and audit events added since the transaction began go to `publisher` right
    after the commit that stores the change succeeds; those of a rolled-back or failed transaction
    are dropped.
    """

    def __init__(self, database: Database, publisher: EventPublisher) -> None:
        self._database, self._publisher = database, publisher
        self._scope: contextlib.AbstractAsyncContextManager[Transaction] | None = None
        self._transaction: Transaction | None = None
        self._events: list[DomainEvent] = []
        self._read_only = False

    def reading(self) -> Self:
        self._read_only = True
        return self

    async def __aenter__(self) -> Self:
        if self._scope is not None:
            raise RuntimeError("this unit of work is already in use; enter it sequentially, never concurrently")
        scope = self._database.transaction(read_only=self._read_only)
        self._scope = scope
        try:
            transaction = await scope.__aenter__()
        except BaseException:
            self._scope = None
            self._read_only = False
            raise
        self._transaction = transaction
        self._events.clear()
        connection = transaction.connection
        self.users = SqlUserRepository(connection)
        self.sessions = SqlSessionRepository(connection)
        self.refresh_tokens = SqlRefreshTokenRepository(connection)
        self.one_time_tokens = SqlOneTimeTokenRepository(connection)
        self.outbox = SqlOutbox(connection)
        self.audit = SqlAuditLog(connection, on_add=self._events.append)
        self.tasks = SqlTaskRepository(connection)
        self.overviews = SqlAccountOverviews(connection)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._read_only = False
        scope, self._scope, self._transaction = self._scope, None, None
        if scope is None:
            return
        self._events.clear()
        try:
            # Rolls back whatever was not committed and gives the connection back.
            await scope.__aexit__(exc_type, exc, traceback)
        except Exception:
            if exc is None:
                raise
            # The block's own exception matters more than a failed rollback on a broken connection.

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("commit() in a unit of work entered for reading")
        if self._transaction is None:
            raise RuntimeError("commit() outside of an `async with` block")
        # Taken before committing: if the commit fails, the transaction and its events are gone.
        committed_events = list(self._events)
        self._events.clear()
        await self._transaction.commit()
        await self._publisher.publish(committed_events)

    def record(self, *events: DomainEvent) -> None:
        self._events.extend(events)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(PING_TIMEOUT_S), self._database.transaction(read_only=True) as transaction:
                await transaction.connection.fetch(_PING)
        except Exception:
            return False
        return True
