"""PostgreSQL on an asyncpg pool: writing transactions are `BEGIN ... COMMIT/ROLLBACK`, reads send no BEGIN."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
from sqlalchemy import Dialect
from sqlalchemy.engine import URL

from adapters.sql.driver.errors import translated_errors
from adapters.sql.driver.protocols import Database, SqlConnection, Transaction
from adapters.sql.driver.sqlalchemy_internals import POSTGRESQL_DIALECT
from adapters.sql.driver.statements import Row, Statement

_ROW_COUNT = re.compile(r"(\d+)$")


async def _keep_session(connection: Any) -> None:
    """Pool release hook: nothing to reset (asyncpg still rolls back an open transaction)."""


class PostgresDatabase(Database):
    """A lazily opened asyncpg pool for one PostgreSQL database, `schema` as the `search_path`.

    Connections come back to the pool without asyncpg's reset query: nothing here changes session
    state (no SET, LISTEN, advisory locks or cursors), and an open transaction is still rolled back.
    """

    dialect: Dialect = POSTGRESQL_DIALECT

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

    async def start(self) -> None:
        """Nothing to do: connections open on first use."""

    async def stop(self) -> None:
        await self.close()

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
