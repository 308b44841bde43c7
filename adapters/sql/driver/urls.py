"""The database URLs of the settings, checked once for the driver and for the migrations' engine.

Two schemes are accepted, named after the drivers of SQLAlchemy's async engine, which runs the
Alembic migrations and tools: `sqlite+aiosqlite://` and `postgresql+asyncpg://`. At run time the
driver reads the same URL and runs `sqlite3` in a thread pool or asyncpg directly; aiosqlite
never runs on the request path.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url

SQLITE_SCHEME = "sqlite+aiosqlite"
POSTGRESQL_SCHEME = "postgresql+asyncpg"
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def parse_database_url(url: str, schema: str | None) -> URL:
    """`url` parsed, after checking that its scheme is `sqlite+aiosqlite` or `postgresql+asyncpg`,
    and that `schema`, if any, is a plain lower-case identifier given for PostgreSQL.

    Raises:
        ValueError: any of that does not hold.
    """
    parsed = make_url(url)
    if parsed.drivername == SQLITE_SCHEME:
        if schema is not None:
            raise ValueError("SQLite has no schemas; leave `schema` unset")
        return parsed
    if parsed.drivername == POSTGRESQL_SCHEME:
        if schema is not None and not SCHEMA_NAME.match(schema):
            raise ValueError("`schema` must be a lower-case identifier of letters, digits and '_'")
        return parsed
    raise ValueError(f"unsupported database driver {parsed.drivername!r}; use sqlite+aiosqlite or postgresql+asyncpg")


def is_sqlite_memory(url: URL) -> bool:
    """True when an SQLite URL names a database in memory rather than a file."""
    database = url.database or ""
    return database in {"", ":memory:"} or database.startswith("file::memory:")
