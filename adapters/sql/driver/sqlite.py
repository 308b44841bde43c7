"""SQLite on `sqlite3` in WAL mode, each connection used by one thread of a private pool at a time.

One statement (with the pending `BEGIN` in front of the first one) is one hop to that thread.
Writing transactions begin with `BEGIN IMMEDIATE`, so concurrent writers queue on the busy
timeout instead of failing when a reader upgrades; reads send no BEGIN and take no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.engine import URL

from adapters.sql.driver.errors import translated_errors
from adapters.sql.driver.protocols import Database, SqlConnection, Transaction
from adapters.sql.driver.sqlalchemy_internals import SQLITE_DIALECT
from adapters.sql.driver.statements import CompiledStatement, Row, Statement
from adapters.sql.driver.urls import is_sqlite_memory

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
"""Run on every connection, the driver's and the migrations' engine's alike."""


class SqliteDatabase(Database):
    """Connections to one SQLite file (or one in-memory database), opened lazily, each with `SQLITE_PRAGMAS`."""

    dialect: Dialect = SQLITE_DIALECT

    def __init__(self, url: URL, pool_size: int) -> None:
        self._memory = is_sqlite_memory(url)
        self._path = url.database or ":memory:"
        # A memory database lives in its connection: one connection, shared in turn.
        self._size = 1 if self._memory else pool_size
        self._executor = ThreadPoolExecutor(max_workers=self._size, thread_name_prefix="bastion-sqlite")
        self._idle: asyncio.Queue[sqlite3.Connection] | None = None
        self._opened = 0
        self._all: list[sqlite3.Connection] = []
        self._closed = False

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self._path,
            isolation_level=None,  # no implicit BEGIN: the transactions below send their own
            check_same_thread=False,  # used by one pool thread at a time, never concurrently
            uri=self._path.startswith("file:"),
            timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        )
        for pragma in SQLITE_PRAGMAS:
            connection.execute(pragma)
        return connection

    async def run(self, job: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    async def _acquire(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("the database is closed")
        if self._idle is None:
            self._idle = asyncio.Queue()
        if self._idle.empty() and self._opened < self._size:
            self._opened += 1
            try:
                with translated_errors():
                    connection: sqlite3.Connection = await self.run(self._connect)
            except BaseException:
                self._opened -= 1
                raise
            self._all.append(connection)
            return connection
        return await self._idle.get()

    @contextlib.asynccontextmanager
    async def transaction(self, *, read_only: bool = False) -> AsyncIterator[Transaction]:
        connection = await self._acquire()
        transaction = _SqliteTransaction(self, connection, None if read_only else "BEGIN IMMEDIATE")
        try:
            yield transaction
        finally:
            try:
                await transaction.end()
            finally:
                assert self._idle is not None
                self._idle.put_nowait(connection)

    async def start(self) -> None:
        """Nothing to do: connections open on first use."""

    async def stop(self) -> None:
        await self.close()

    async def close(self) -> None:
        self._closed = True
        connections, self._all = self._all, []

        def close_all() -> None:
            for connection in connections:
                connection.close()

        await self.run(close_all)
        self._executor.shutdown(wait=False)


class _SqliteTransaction(Transaction, SqlConnection):
    dialect_name = "sqlite"

    def __init__(self, database: SqliteDatabase, driver: sqlite3.Connection, begin: str | None) -> None:
        self._database = database
        self._driver = driver
        self._begin = begin
        self._begun = False
        self.connection = self

    def _run_statement(self, sql: str, arguments: list[Any], savepoint: bool) -> tuple[list[Any], int]:
        # Runs on a pool thread: BEGIN (when due), the statement, its rows, in one hop.
        driver = self._driver
        if not self._begun and self._begin is not None:
            driver.execute(self._begin)
            self._begun = True
        if not savepoint:
            cursor = driver.execute(sql, arguments)
            return cursor.fetchall(), cursor.rowcount
        driver.execute("SAVEPOINT checked")
        try:
            cursor = driver.execute(sql, arguments)
            rows = cursor.fetchall()
        except sqlite3.Error:
            driver.execute("ROLLBACK TO checked")
            driver.execute("RELEASE checked")
            raise
        driver.execute("RELEASE checked")
        return rows, cursor.rowcount

    async def _statement(
        self, statement: Statement, values: Mapping[str, Any] | None, *, savepoint: bool = False
    ) -> tuple[CompiledStatement, list[Any], int]:
        compiled = statement.compiled(SqliteDatabase.dialect)
        arguments = compiled.arguments(values or {})
        with translated_errors():
            records, count = await self._database.run(lambda: self._run_statement(compiled.sql, arguments, savepoint))
        return compiled, records, count

    async def fetch(self, statement: Statement, values: Mapping[str, Any] | None = None) -> list[Row]:
        compiled, records, _ = await self._statement(statement, values)
        return compiled.rows(records)

    async def execute(self, statement: Statement, values: Mapping[str, Any] | None = None) -> int:
        return (await self._statement(statement, values))[2]

    async def execute_checked(self, statement: Statement, values: Mapping[str, Any] | None = None) -> int:
        return (await self._statement(statement, values, savepoint=True))[2]

    async def commit(self) -> None:
        if not self._begun:
            return
        self._begun = False
        with translated_errors():
            await self._database.run(lambda: self._driver.execute("COMMIT"))

    async def end(self) -> None:
        if not self._begun:
            return
        self._begun = False

        def rollback() -> None:
            if self._driver.in_transaction:
                self._driver.execute("ROLLBACK")

        with translated_errors():
            await self._database.run(rollback)
