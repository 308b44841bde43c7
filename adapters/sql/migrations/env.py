"""Alembic environment: runs the migrations on the connection `adapters.sql.migrations.migrate` hands over.

`migrate.upgrade_async` puts a live synchronous connection (from `AsyncConnection.run_sync`) in
`config.attributes["connection"]`. Without one (an operator running alembic with an ini file),
an engine is made from `config.attributes["url"]` / `["schema"]`, or the `sqlalchemy.url` option.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, text

from adapters.sql.migrations.engine import create_engine
from adapters.sql.tables import metadata

# Concurrent starts of several workers each try to migrate; on PostgreSQL they take turns on
# this transaction-level advisory lock (SQLite's BEGIN IMMEDIATE already serialises them).
_MIGRATION_LOCK_KEY = 0x62617374696F6E  # "bastion"


def _run_migrations(connection: Connection) -> None:
    # With BEGIN emitted by SQLAlchemy (see engine.py), SQLite runs DDL transactionally too, so
    # the whole upgrade is one transaction on both databases and a failed step leaves nothing.
    context.configure(connection=connection, target_metadata=metadata, transactional_ddl=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        context.run_migrations()


async def _run_with_own_engine() -> None:
    config = context.config
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: pass it through adapters.sql.migrations.migrate.upgrade(url)")
    engine = create_engine(url, pool_size=1, schema=config.attributes.get("schema"))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def _main() -> None:
    if context.is_offline_mode():
        raise RuntimeError("offline (--sql) migrations are not supported")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run_migrations(connection)
    else:
        asyncio.run(_run_with_own_engine())


_main()
