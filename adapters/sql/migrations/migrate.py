"""Schema migrations with Alembic, driven from code: no alembic.ini and no `alembic` command needed.

The scripts live beside this module (`env.py`, `versions/`) and run on SQLAlchemy's async engine
(`engine`: aiosqlite or asyncpg), never on the service's driver. `upgrade` (for a CLI) and
`upgrade_async` (for application start-up and tests) bring a database to the newest revision.
Running them again, or from several processes or tasks at once, is safe.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from adapters.sql.migrations.engine import create_engine, ensure_sqlite_directory

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parent

# Alembic's `context` and `op` are process-wide proxies: two migrations interleaved in one process
# would overwrite each other's, so runs in one process take turns. Separate processes take turns
# on the database instead (see env.py).
_ONE_MIGRATION_AT_A_TIME = threading.Lock()


def alembic_config(url: str, *, schema: str | None = None) -> Config:
    """An Alembic configuration for the migrations of this package, for `alembic.command` functions.

    The URL travels in `attributes`, not in the ini-style options, where `%` in an encoded
    password would be taken for interpolation.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY))
    config.attributes["url"] = url
    config.attributes["schema"] = schema
    return config


def upgrade(url: str, *, schema: str | None = None, revision: str = "head") -> None:
    """Migrate the database at `url` (and `schema`, PostgreSQL only) to `revision`.

    Creates the parent directory of an SQLite file first. Synchronous, for command-line use: it
    runs an event loop of its own, so call `upgrade_async` from coroutines instead.
    """
    ensure_sqlite_directory(url)
    with _ONE_MIGRATION_AT_A_TIME:
        asyncio.run(_upgrade(url, schema, revision))


async def upgrade_async(url: str, *, schema: str | None = None, revision: str = "head") -> None:
    """`upgrade` in a worker thread, so that neither Alembic's blocking work nor the wait for
    another migration holds up the caller's event loop."""
    await asyncio.to_thread(upgrade, url, schema=schema, revision=revision)


async def _upgrade(url: str, schema: str | None, revision: str) -> None:
    config = alembic_config(url, schema=schema)
    engine = create_engine(url, pool_size=1, schema=schema)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_upgrade_on, config, revision)
            await connection.commit()
    finally:
        await engine.dispose()


def _upgrade_on(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
