"""SQLAlchemy's async engine, for the Alembic migrations and for tools: aiosqlite or asyncpg.

Only migrations (`migrate`, `env.py`), tests and tools that look at the tables directly use it;
the service runs its statements on `adapters.sql.driver` (`sqlite3` in a thread pool, or asyncpg),
and nothing on the request path imports this module. The URLs are the driver's
(`adapters.sql.driver.urls`), checked the same way.

SQLite: WAL journal, `foreign_keys=ON`, `synchronous=NORMAL` and a busy timeout on every
connection (`SQLITE_PRAGMAS`, as on the service's own connections), and every transaction opened
with `BEGIN IMMEDIATE` (the recipe of SQLAlchemy's "Transactions with SQLite and the sqlite3
driver": the DBAPI connection's own BEGIN handling is switched off with `isolation_level = None`
and the engine's "begin" event emits ours), so that processes migrating one database at once take
turns on the write lock.

PostgreSQL: a pooled asyncpg engine at the server's default READ COMMITTED isolation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from adapters.sql.driver import DEFAULT_POOL_SIZE
from adapters.sql.driver.sqlite import SQLITE_PRAGMAS
from adapters.sql.driver.urls import SQLITE_SCHEME, is_sqlite_memory, parse_database_url


def create_engine(url: str, *, pool_size: int = DEFAULT_POOL_SIZE, schema: str | None = None) -> AsyncEngine:
    """An async engine for a `sqlite+aiosqlite://` or `postgresql+asyncpg://` URL.

    `schema` (PostgreSQL only, a plain lower-case identifier) becomes the connections' `search_path`,
    so that the tables, and the migrations' version table, live in that schema; asyncpg cannot take
    it from the URL. The schema must exist.

    Raises:
        ValueError: the URL names another database or driver, or `schema` is given for SQLite or
            is not a plain identifier.
    """
    parsed = parse_database_url(url, schema)
    if parsed.drivername == SQLITE_SCHEME:
        return _sqlite_engine(parsed, pool_size)
    return _postgres_engine(parsed, pool_size, schema)


def ensure_sqlite_directory(url: str) -> None:
    """Create the parent directory of an SQLite database file; do nothing for other URLs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or is_sqlite_memory(parsed):
        return
    Path(str(parsed.database)).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: URL, pool_size: int) -> AsyncEngine:
    options: dict[str, Any] = {}
    if not is_sqlite_memory(url):
        # A memory database uses SQLAlchemy's single-connection StaticPool, which takes no size.
        options["pool_size"] = pool_size
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event, not the sqlite3 driver, decide when and how BEGIN is sent.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_engine(url: URL, pool_size: int, schema: str | None) -> AsyncEngine:
    connect_args: dict[str, Any] = {}
    if schema is not None:
        connect_args["server_settings"] = {"search_path": schema}
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args=connect_args,
    )
