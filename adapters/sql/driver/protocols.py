"""What the SQL adapters see of a database: a pool of connections, transactions, one connection's statements."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import Dialect

from adapters.lifecycle import Lifecycle
from adapters.sql.driver.statements import Row, Statement


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


class Database(Lifecycle, Protocol):
    """A pool of connections to one database; connections open on first use, `stop` closes them."""

    dialect: Dialect

    def transaction(self, *, read_only: bool = False) -> contextlib.AbstractAsyncContextManager[Transaction]:
        """Check out a connection for one transaction; leaving without `commit()` rolls it back."""

    async def close(self) -> None:
        """Close every connection; the database may not be used afterwards."""
