"""What the SQL adapters promise beyond the ports: migrations that match `tables.py`, and outages
reported as `DependencyUnavailableError` without driver text. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from adapters.sql.driver import Database as SqlDatabase
from adapters.sql.driver import open_database
from adapters.sql.migrations.migrate import alembic_config, upgrade_async
from adapters.sql.tables import metadata
from adapters.sql.unit_of_work import SqlReadOnlyUnitOfWork, SqlUnitOfWork
from application.errors import DependencyUnavailableError
from tests.backends import SQL_BACKENDS, Database, RecordingPublisher, empty_database, migrated_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=SQL_BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_database(request.param, tmp_path) as migrated:
        yield migrated


def _differences(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


def _constraint_names(connection: Connection) -> set[str]:
    inspector = inspect(connection)
    names = {
        unique["name"]
        for table in ("users", "passkeys", "api_keys", "identities")
        for unique in inspector.get_unique_constraints(table)
    }
    tables = (
        "sessions",
        "refresh_tokens",
        "one_time_tokens",
        "outbox",
        "passkeys",
        "webauthn_challenges",
        "api_keys",
        "identities",
        "oauth_flows",
    )
    for table in tables:
        names |= {index["name"] for index in inspector.get_indexes(table)}
        names |= {foreign_key["name"] for foreign_key in inspector.get_foreign_keys(table)}
    return {name for name in names if name}


async def test_migrations_create_exactly_the_tables_of_the_metadata(database: Database) -> None:
    engine = database.create_engine()
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            assert await connection.run_sync(_constraint_names) >= {
                "uq_users_email_normalized",
                "uq_users_username_normalized",
                "ix_sessions_user_id",
                "ix_refresh_tokens_session_id",
                "fk_sessions_user_id_users",
                "fk_refresh_tokens_session_id_sessions",
                "ix_one_time_tokens_user_id",
                "fk_one_time_tokens_user_id_users",
                "ix_outbox_kind",
                "uq_passkeys_credential_id",
                "ix_passkeys_user_id",
                "fk_passkeys_user_id_users",
                "ix_webauthn_challenges_expires_at",
                "ix_webauthn_challenges_user_id",
                "fk_webauthn_challenges_user_id_users",
                "uq_api_keys_key_hash",
                "ix_api_keys_user_id",
                "fk_api_keys_user_id_users",
                "uq_identities_issuer",
                "ix_identities_user_id",
                "fk_identities_user_id_users",
                "ix_oauth_flows_expires_at",
                "ix_oauth_flows_user_id",
                "fk_oauth_flows_user_id_users",
            }
    finally:
        await engine.dispose()


async def test_upgrading_an_up_to_date_database_changes_nothing(database: Database) -> None:
    await upgrade_async(database.url, schema=database.schema)

    engine = database.create_engine()
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


def _downgrade_one_revision(connection: Connection, url: str, schema: str | None) -> None:
    config = alembic_config(url, schema=schema)
    config.attributes["connection"] = connection
    command.downgrade(config, "-1")


async def test_the_newest_migration_downgrades_and_upgrades_again(database: Database) -> None:
    engine = database.create_engine()
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_downgrade_one_revision, database.url, database.schema)
            await connection.commit()
            assert await connection.run_sync(_differences) != []
        await upgrade_async(database.url, schema=database.schema)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


@pytest.fixture(params=SQL_BACKENDS)
async def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with empty_database(request.param, tmp_path) as empty:
        yield empty


async def test_processes_migrating_one_database_at_once_take_turns(unmigrated: Database) -> None:
    script = (
        "import sys; from adapters.sql.migrations.migrate import upgrade; "
        "upgrade(sys.argv[1], schema=sys.argv[2] or None)"
    )
    arguments = [sys.executable, "-c", script, unmigrated.url, unmigrated.schema or ""]

    def migrate_in_processes() -> list[int]:
        processes = [subprocess.Popen(arguments, cwd=PROJECT_ROOT) for _ in range(3)]
        return [process.wait(timeout=60) for process in processes]

    assert await asyncio.to_thread(migrate_in_processes) == [0, 0, 0]
    engine = unmigrated.create_engine()
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


UNREACHABLE = [
    pytest.param("sqlite+aiosqlite:///{tmp}/missing-directory/bastion.db", id="sqlite"),
    pytest.param("postgresql+asyncpg://bastion:secret-password@127.0.0.1:1/bastion", id="postgres"),
]


@pytest.fixture
async def driver_threads_settle() -> AsyncIterator[None]:
    """Wait for aiosqlite's worker threads to stop before the test's event loop closes.

    When a connection cannot be opened, aiosqlite stops its worker thread with a future nobody
    awaits; if the loop closes first, the thread fails to report back and pytest warns.
    """
    yield
    for _ in range(200):
        if not any(thread.name.endswith("(_connection_worker_thread)") for thread in threading.enumerate()):
            return
        await asyncio.sleep(0.01)


def _writing(pool: SqlDatabase) -> SqlUnitOfWork:
    return SqlUnitOfWork(pool, RecordingPublisher())


# Both units of work, the one that writes and the one that only reads.
UNITS_OF_WORK = [pytest.param(_writing, id="writing"), pytest.param(SqlReadOnlyUnitOfWork, id="read-only")]


@pytest.mark.usefixtures("driver_threads_settle")
@pytest.mark.parametrize("url_template", UNREACHABLE)
@pytest.mark.parametrize("unit_of_work", UNITS_OF_WORK)
async def test_an_unreachable_database_is_reported_unavailable_without_driver_text(
    url_template: str, unit_of_work: Callable[[SqlDatabase], AbstractAsyncContextManager[object]], tmp_path: Path
) -> None:
    pool = open_database(url_template.format(tmp=tmp_path))
    uow = unit_of_work(pool)
    try:
        with pytest.raises(DependencyUnavailableError) as caught:
            await uow.__aenter__()
    finally:
        await pool.close()

    assert caught.value.dependency == "database"
    assert str(caught.value) == "database is unavailable"


@pytest.mark.usefixtures("driver_threads_settle")
@pytest.mark.parametrize("url_template", UNREACHABLE)
async def test_ping_is_false_when_the_database_cannot_be_reached(url_template: str, tmp_path: Path) -> None:
    pool = open_database(url_template.format(tmp=tmp_path))
    try:
        assert await SqlUnitOfWork(pool, RecordingPublisher()).ping() is False
    finally:
        await pool.close()


@pytest.mark.parametrize("unit_of_work", UNITS_OF_WORK)
async def test_a_unit_of_work_cannot_be_entered_while_it_is_in_use(
    database: Database, unit_of_work: Callable[[SqlDatabase], AbstractAsyncContextManager[object]]
) -> None:
    pool = database.open()
    uow = unit_of_work(pool)
    try:
        async with uow:
            with pytest.raises(RuntimeError):
                await uow.__aenter__()
    finally:
        await pool.close()
