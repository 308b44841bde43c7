"""SqlUnitOfWork: one AsyncSession, and so one database transaction, per `async with` block."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.audit_lines import emit as emit_audit_lines
from adapters.sql.audit_log import SqlAuditLog
from adapters.sql.engine import READ_ONLY_OPTION
from adapters.sql.errors import translated_errors
from adapters.sql.repositories import (
    SqlOneTimeTokenRepository,
    SqlOutbox,
    SqlRefreshTokenRepository,
    SqlSessionRepository,
    SqlUserRepository,
)
from adapters.sql.tasks import SqlTaskRepository
from application.unit_of_work import UnitOfWork
from domain.audit import AuditEvent

PING_TIMEOUT_S = 5.0


class SqlUnitOfWork(UnitOfWork):
    """A transaction over the SQL repositories, from a factory made by `create_session_factory`.

    Entering checks a connection out of the engine's pool and begins the transaction, so an
    unreachable database is reported on entry (on SQLite the `BEGIN IMMEDIATE`, and with it the
    wait for the write lock, happens here too); leaving rolls back anything not committed and
    returns the connection. After `commit()` the block may
    go on: the session begins a new transaction on its next statement.
    Connection failures surface as `DependencyUnavailableError("database")`.

    Audit events added since the transaction began are also logged, one JSON line each on
    `bastion.audit` (see `adapters.audit_lines`), right after the commit that stores them succeeds;
    events of a rolled-back or failed transaction are never logged.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._audit_events_added: list[AuditEvent] = []
        self._read_only = False

    def reading(self) -> Self:
        self._read_only = True
        return self

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use; enter it sequentially, never concurrently")
        session = self._session_factory()
        options = {READ_ONLY_OPTION: True} if self._read_only else None
        try:
            with translated_errors():
                await session.connection(execution_options=options)
        except BaseException:
            await session.close()
            raise
        self._session = session
        self._audit_events_added.clear()
        self.users = SqlUserRepository(session)
        self.sessions = SqlSessionRepository(session)
        self.refresh_tokens = SqlRefreshTokenRepository(session)
        self.one_time_tokens = SqlOneTimeTokenRepository(session)
        self.outbox = SqlOutbox(session)
        self.audit = SqlAuditLog(session, on_add=self._audit_events_added.append)
        self.tasks = SqlTaskRepository(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._read_only = False
        session, self._session = self._session, None
        if session is None:
            return
        self._audit_events_added.clear()
        try:
            with translated_errors():
                # Closing rolls back whatever was not committed and gives the connection back.
                await session.close()
        except Exception:
            if exc is None:
                raise
            # The block's own exception matters more than a failed rollback on a broken connection.

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("commit() in a unit of work entered for reading")
        if self._session is None:
            raise RuntimeError("commit() outside of an `async with` block")
        # Taken before committing: if the commit fails, the transaction and its events are gone.
        committed_events = list(self._audit_events_added)
        self._audit_events_added.clear()
        with translated_errors():
            await self._session.commit()
        emit_audit_lines(committed_events)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(PING_TIMEOUT_S), self._session_factory() as session:
                connection = await session.connection(execution_options={READ_ONLY_OPTION: True})
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True
