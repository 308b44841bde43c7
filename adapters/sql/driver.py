"""The lean execution layer under the SQL adapter: Core statements compiled once, run on the drivers.

SQLAlchemy Core defines the tables and the statements (one definition for SQLite and PostgreSQL);
this module compiles each `Statement` once per dialect into the driver's SQL and parameter order,
and runs it straight on asyncpg or on `sqlite3`. That keeps SQLAlchemy's session, greenlet and
result machinery off the request path: on the hot paths it cost more CPU than everything else in
a request together (bench/README.md, "Where the time goes").

- `Database` is a pool of connections for one URL; `Database.transaction()` checks one out for
  one transaction, `read_only` or not.
- A read-only transaction sends its statements without BEGIN: each reads the latest committed
  state, one snapshot per statement, which is what PostgreSQL's READ COMMITTED gives inside a
  transaction as well, without the extra round trips (or, on SQLite, thread hops) of BEGIN and
  ROLLBACK. It takes no lock.
- PostgreSQL (asyncpg pool): a writing transaction is a real `BEGIN ... COMMIT/ROLLBACK`.
  Connections come back to the pool without asyncpg's reset query: nothing here changes session
  state (no SET, LISTEN, advisory locks or cursors), and an open transaction is still rolled back.
- SQLite (`sqlite3` in WAL mode): every connection is used by one thread at a time from a
  private thread pool, and one statement (with the pending `BEGIN` in front of the first one) is
  one hop to that thread. Writing transactions begin with `BEGIN IMMEDIATE`, so concurrent writers
  queue on the busy timeout instead of failing when a reader upgrades.
- Values cross the boundary through the column types' own bind and result processors, so SQLite
  stores exactly what SQLAlchemy would (datetimes as UTC text, booleans as 0/1) and
  `UtcDateTime` returns aware UTC datetimes on both databases.
- Driver exceptions are translated by `adapters.sql.errors.translated_errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
from sqlalchemy.dialects.postgresql import asyncpg as postgresql_asyncpg
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from adapters.sql.engine import DEFAULT_POOL_SIZE, SQLITE_BUSY_TIMEOUT_MS, SQLITE_PRAGMAS, parse_database_url
from adapters.sql.errors import translated_errors

_ROW_COUNT = re.compile(r"(\d+)$")

Row = dict[str, Any]
Processor = Callable[[Any], Any]


# --------------------------------------------------------------------------------------------
# Statements


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    # Per positional parameter: its name, a fixed value (a literal of the statement) or None when
    # the caller supplies it, and the type's bind processor.
    parameters: tuple[tuple[str, bool, Any, Processor | None], ...]
    columns: tuple[str, ...]
    result_processors: tuple[Processor | None, ...]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        arguments = []
        for name, fixed, literal, process in self.parameters:
            value = literal if fixed else values[name]
            arguments.append(process(value) if process is not None and value is not None else value)
        return arguments

    def rows(self, records: Sequence[Sequence[Any]]) -> list[Row]:
        columns, processors = self.columns, self.result_processors
        return [
            {
                name: (process(value) if process is not None and value is not None else value)
                for name, process, value in zip(columns, processors, record, strict=True)
            }
            for record in records
        ]


class Statement:
    """A Core statement with named `bindparam`s, compiled once per dialect.

    `build` is the statement itself or, for dialect-specific constructs (`INSERT ... ON CONFLICT`),
    a function of the dialect name ("sqlite" or "postgresql") that builds it. Result columns are
    named by their keys: label computed columns.
    """

    __slots__ = ("_build", "_column_keys", "_compiled")

    def __init__(
        self, build: ClauseElement | Callable[[str], ClauseElement], *, column_keys: Sequence[str] | None = None
    ) -> None:
        """`column_keys`: for a bare `insert(table)` or `update(table)`, the columns to set, each from
        the parameter of the same name."""
        self._build = build
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = self._build if isinstance(self._build, ClauseElement) else self._build(dialect.name)
        compiler = statement.compile(dialect=dialect, column_keys=self._column_keys)
        assert isinstance(compiler, SQLCompiler)
        parameters = []
        for name in compiler.positiontup or ():
            bind = compiler.binds[name]
            fixed = not bind.required and bind.callable is None
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            parameters.append((bind.key if not fixed else name, fixed, bind.value, process))
        exported = getattr(statement, "exported_columns", None) if compiler.returning or _is_select(statement) else None
        columns = tuple(column.key for column in exported or ())
        processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in exported or ()
        )
        return _Compiled(compiler.string, tuple(parameters), columns, processors)


def _is_select(statement: ClauseElement) -> bool:
    return getattr(statement, "is_select", False)


# --------------------------------------------------------------------------------------------
# Connections and transactions


class SqlConnection(Protocol):
    """One connection inside one transaction; use it from one task at a time."""

    dialect_name: str

    async def fetch(self, statement: Statement, values: Mapping[str, Any] | None = None) -> list[Row]:
        """The rows a SELECT (or a statement with RETURNING) gives."""

    async def fetch_one(self, statement: Statement, values: Mapping[str, Any] | None = None) -> Row | None:
        """The first row, or None."""
        rows = await self.fetch(statement, values)
        return rows[0] if rows else None

    async def execute(self, statement: Statement, values: Mapping[str, Any] | None = None) -> int:
        """Run a statement without result rows; the number of rows it changed."""

    async def execute_checked(self, statement: Statement, values: Mapping[str, Any] | None = None) -> int:
        """`execute` inside a savepoint: when it breaks a constraint, only the statement is undone and
        the transaction stays usable (the translated error is raised)."""


class Transaction(Protocol):
    connection: SqlConnection

    async def commit(self) -> None:
        """Make the transaction's changes durable; a later statement begins a new transaction."""


class Database(Protocol):
    """A pool of connections to one database."""

    dialect: Dialect

    def transaction(self, *, read_only: bool = False) -> contextlib.AbstractAsyncContextManager[Transaction]:
        """Check out a connection for one transaction; leaving without `commit()` rolls it back."""

    async def close(self) -> None:
        """Close every connection; the database may not be used afterwards."""


def open_database(url: str, *, pool_size: int = DEFAULT_POOL_SIZE, schema: str | None = None) -> Database:
    """A `Database` for a `sqlite+aiosqlite://` or `postgresql+asyncpg://` URL (the URLs of the settings).

    Connections open lazily, on first use. `schema` (PostgreSQL only, a plain lower-case identifier)
    becomes the connections' `search_path`.

    Raises:
        ValueError: another database or driver, or an unusable `schema`.
    """
    parsed = parse_database_url(url, schema)
    if parsed.drivername == "sqlite+aiosqlite":
        return SqliteDatabase(parsed, pool_size)
    return PostgresDatabase(parsed, pool_size, schema)


# --------------------------------------------------------------------------------------------
# PostgreSQL


async def _keep_session(connection: Any) -> None:
    """Pool release hook: nothing to reset (asyncpg still rolls back an open transaction)."""


class PostgresDatabase(Database):
    dialect: Dialect = postgresql_asyncpg.dialect()  # type: ignore[no-untyped-call]

    def __init__(self, url: URL, pool_size: int, schema: str | None) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._pool_size = pool_size
        self._server_settings = {"search_path": schema} if schema is not None else {}
        self._pool: Any = None
        self._opening = asyncio.Lock()

    async def _get_pool(self) -> Any:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    with translated_errors():
                        self._pool = await asyncpg.create_pool(
                            self._dsn,
                            min_size=0,
                            max_size=self._pool_size,
                            max_inactive_connection_lifetime=300.0,
                            reset=_keep_session,
                            server_settings=self._server_settings,
                        )
        return self._pool

    @contextlib.asynccontextmanager
    async def transaction(self, *, read_only: bool = False) -> AsyncIterator[Transaction]:
        pool = await self._get_pool()
        with translated_errors():
            connection = await pool.acquire()
        try:
            transaction = _PostgresTransaction(connection, read_only)
            try:
                yield transaction
            finally:
                await transaction.end()
        finally:
            with translated_errors():
                await pool.release(connection)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


class _PostgresTransaction(Transaction, SqlConnection):
    dialect_name = "postgresql"

    def __init__(self, connection: Any, read_only: bool) -> None:
        self._driver = connection
        self._read_only = read_only
        self._transaction: Any = None
        self.connection = self

    async def _ensure_begun(self) -> None:
        # BEGIN goes out with the first statement of a writing transaction, and again with the
        # first one after a commit.
        if self._transaction is None and not self._read_only:
            transaction = self._driver.transaction()
            with translated_errors():
                await transaction.start()
            self._transaction = transaction

    async def end(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            with translated_errors():
                await transaction.rollback()

    async def commit(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            with translated_errors():
                await transaction.commit()

    async def fetch(self, statement: Statement, values: Mapping[str, Any] | None = None) -> list[Row]:
        await self._ensure_begun()
        compiled = statement.compiled(PostgresDatabase.dialect)
        with translated_errors():
            records = await self._driver.fetch(compiled.sql, *compiled.arguments(values or {}))
        return compiled.rows(records)

    async def execute(self, statement: Statement, values: Mapping[str, Any] | None = None) -> int:
        await self._ensure_begun()
        compiled = statement.compiled(PostgresDatabase.dialect)
        with translated_errors():
            status = await self._driver.execute(compiled.sql, *compiled.arguments(values or {}))
        match = _ROW_COUNT.search(status or "")
        return int(match.group(1)) if match else 0

    async def execute_checked(self, statement: Statement, values: Mapping[str, Any] | None = None) -> int:
        await self._ensure_begun()
        with translated_errors():
            async with self._driver.transaction():  # a SAVEPOINT inside the open transaction
                return await self.execute(statement, values)


# --------------------------------------------------------------------------------------------
# SQLite


class SqliteDatabase(Database):
    dialect: Dialect = pysqlite.dialect()

    def __init__(self, url: URL, pool_size: int) -> None:
        database = url.database or ":memory:"
        self._memory = database == ":memory:" or database.startswith("file::memory:")
        self._path = database
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
    ) -> tuple[_Compiled, list[Any], int]:
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
