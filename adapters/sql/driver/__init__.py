"""The lean execution layer under the SQL adapter: Core statements compiled once, run on the drivers.

What runs where:

- The service at run time (requests, the outbox worker, the CLI's account commands): every
  statement goes straight to `sqlite3`, in a thread pool of this package, or to asyncpg, in a
  pool of this package.
- Alembic migrations and tools: SQLAlchemy's async engine (`adapters.sql.migrations.engine`),
  on aiosqlite or on asyncpg.

The URL schemes, `sqlite+aiosqlite://` and `postgresql+asyncpg://`, are that engine's names; the
driver takes the same URLs and runs `sqlite3` or asyncpg for them, so aiosqlite never runs here.

SQLAlchemy Core defines the tables and the statements (one definition for SQLite and PostgreSQL);
`statements` compiles each `Statement` once per dialect into the driver's SQL and parameter order,
reading SQLAlchemy's compiler through `sqlalchemy_internals` only. SQLAlchemy's engine, session,
greenlet and result machinery stay off the request path: on the hot paths they cost more CPU than
everything else in a request together (bench/README.md, "Where the time goes").

- `Database` is a pool of connections for one URL; `Database.transaction()` checks one out for
  one transaction, `read_only` or not (`protocols`).
- A read-only transaction sends its statements without BEGIN: each reads the latest committed
  state, one snapshot per statement, which is what PostgreSQL's READ COMMITTED gives inside a
  transaction as well, without the extra round trips (or, on SQLite, thread hops) of BEGIN and
  ROLLBACK. It takes no lock.
- PostgreSQL (`postgresql`, an asyncpg pool): a writing transaction is a real
  `BEGIN ... COMMIT/ROLLBACK`.
- SQLite (`sqlite`, `sqlite3` in WAL mode in a private thread pool): writing transactions begin
  with `BEGIN IMMEDIATE`, so concurrent writers queue on the busy timeout.
- Values cross the boundary through the column types' own bind and result processors, so SQLite
  stores exactly what SQLAlchemy would (datetimes as UTC text, booleans as 0/1) and
  `UtcDateTime` returns aware UTC datetimes on both databases.
- Driver exceptions are translated by `errors.translated_errors`.
"""

from __future__ import annotations

from adapters.sql.driver.postgresql import PostgresDatabase
from adapters.sql.driver.protocols import Database, SqlConnection, Transaction
from adapters.sql.driver.sqlite import SqliteDatabase
from adapters.sql.driver.statements import Row, Statement
from adapters.sql.driver.urls import SQLITE_SCHEME, parse_database_url

__all__ = ["DEFAULT_POOL_SIZE", "Database", "Row", "SqlConnection", "Statement", "Transaction", "open_database"]

DEFAULT_POOL_SIZE = 10


def open_database(url: str, *, pool_size: int = DEFAULT_POOL_SIZE, schema: str | None = None) -> Database:
    """A `Database` for a `sqlite+aiosqlite://` or `postgresql+asyncpg://` URL (the URLs of the settings):
    `sqlite3` in a thread pool, or an asyncpg pool.

    Connections open lazily, on first use. `schema` (PostgreSQL only, a plain lower-case identifier)
    becomes the connections' `search_path`.

    Raises:
        ValueError: another database or driver, or an unusable `schema`.
    """
    parsed = parse_database_url(url, schema)
    if parsed.drivername == SQLITE_SCHEME:
        return SqliteDatabase(parsed, pool_size)
    return PostgresDatabase(parsed, pool_size, schema)
