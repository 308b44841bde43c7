"""The parts the SQL repositories build their statements from, and the conventions they follow.

Repositories work over one transaction's `SqlConnection`; the unit of work owns the transaction.
Statements are SQLAlchemy Core with named parameters, built once at import and compiled once per
dialect (`adapters.sql.driver.Statement`). Every write that decides something under concurrency is
a single conditional statement whose row count (or `RETURNING` list) is the answer, so SQLite and
PostgreSQL agree without relying on isolation levels. Writes that may break a unique rule run
inside a savepoint: the violation surfaces at once as a domain error and the surrounding
transaction stays usable.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.schema import Table

from adapters.sql.driver import Statement
from adapters.sql.tables import UtcDateTime

NOW = bindparam("now", type_=UtcDateTime())
"""The `:now` parameter of the statements, shared so that one statement may use it more than once."""


def insert_all(table: Table, keys: Sequence[str] | None = None) -> Statement:
    """INSERT of a row, each column (all of them, or those of `keys`) from the parameter of its name."""
    return Statement(insert(table), column_keys=list(keys) if keys is not None else [c.key for c in table.columns])


def dialect_insert(dialect_name: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The INSERT of the dialect, for its `ON CONFLICT` clauses."""
    return postgresql.insert(table) if dialect_name == "postgresql" else sqlite.insert(table)
