"""Whether a database is ready for the service: its schema there and migrated to the newest revision.

Commands check this before they use the database, so that a mistake is one line with its fix
rather than a traceback from deep inside a query. An SQLite file that does not exist is reported
as it is, never created by the check; a PostgreSQL schema that does not exist is named.
`create_schema` makes a missing PostgreSQL schema, for `bastion db upgrade`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from adapters.sql.driver.urls import SQLITE_SCHEME, is_sqlite_memory, parse_database_url
from adapters.sql.migrations.engine import create_engine
from adapters.sql.migrations.migrate import alembic_config

UPGRADE = "run `bastion db upgrade`"


def describe(url: str, schema: str | None = None) -> str:
    """The database as an operator may read it in a message: the URL without its password."""
    where = parse_database_url(url, schema).render_as_string(hide_password=True)
    return f"{where} (schema {schema})" if schema else where


def readiness_problem(url: str, schema: str | None = None) -> str | None:
    """A one-line problem with its fix, or None when the database is at the newest revision."""
    parsed = parse_database_url(url, schema)
    where = describe(url, schema)
    if parsed.drivername == SQLITE_SCHEME:
        if is_sqlite_memory(parsed):
            return None
        revision = _sqlite_revision(Path(str(parsed.database)))
    else:
        try:
            revision = asyncio.run(_postgres_revision(url, schema))
        except _MissingSchemaError:
            return f"the schema {schema!r} does not exist in the database at {where}: {UPGRADE}, which creates it"
        except (OSError, SQLAlchemyError) as exc:
            return f"the database at {where} does not answer ({type(exc).__name__}): check BASTION_DATABASE_URL"
    if revision is None:
        return f"the database at {where} is not migrated: {UPGRADE}"
    if revision != _head_revision():
        return f"the database at {where} is at an older migration ({revision}): {UPGRADE}"
    return None


def create_schema(url: str, schema: str) -> None:
    """Create the PostgreSQL `schema` if it does not exist yet."""
    parse_database_url(url, schema)  # checks that `schema` is a plain identifier
    asyncio.run(_create_schema(url, schema))


class _MissingSchemaError(Exception):
    pass


def _head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _sqlite_revision(path: Path) -> str | None:
    """The revision of an SQLite file, None when it is missing or not migrated; read only."""
    if not path.is_file():
        return None
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    return str(row[0]) if row else None


async def _postgres_revision(url: str, schema: str | None) -> str | None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            if schema:
                found = await connection.scalar(
                    text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
                )
                if found is None:
                    raise _MissingSchemaError
            table = f'"{schema}".alembic_version' if schema else "alembic_version"
            if await connection.scalar(text("SELECT to_regclass(:table)"), {"table": table}) is None:
                return None
            # `schema` is a plain identifier (checked by parse_database_url), so the name is safe to quote.
            revision = await connection.scalar(text(f"SELECT version_num FROM {table}"))  # noqa: S608
            return None if revision is None else str(revision)
    finally:
        await engine.dispose()


async def _create_schema(url: str, schema: str) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    finally:
        await engine.dispose()
