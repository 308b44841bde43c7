"""Database mistakes at the command line: one line with the fix and a non-zero exit code, on SQLite
and PostgreSQL, never a traceback, and no empty SQLite file left behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.sql.migrations.status import describe
from tests.backends import SQL_BACKENDS, Database, empty_database
from tests.e2e.servers import BASTION, environment

NOT_MIGRATED = "is not migrated: run `bastion db upgrade`"
DATABASE_COMMANDS = [
    ["users", "list"],
    ["users", "deactivate", "ada@example.org"],
    ["users", "activate", "ada@example.org"],
    ["users", "reset-mfa", "ada@example.org"],
    ["users", "set-role", "ada@example.org", "admin"],
    ["create-admin", "--email", "ada@example.org", "--username", "ada", "--password-stdin"],
]


def bastion(tmp_path: Path, database: Database, *args: str) -> subprocess.CompletedProcess[str]:
    env = environment(tmp_path, database_url=database.url, database_schema=database.schema or "")
    return subprocess.run(
        [BASTION, *args], cwd=tmp_path, env=env, input="Correct-Horse-9\n", capture_output=True, text=True, check=False
    )


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert all(part in lines[0] for part in expected), lines[0]


@pytest.mark.parametrize("backend", SQL_BACKENDS)
async def test_an_unmigrated_database_is_one_line_with_the_fix(backend: str, tmp_path: Path) -> None:
    async with empty_database(backend, tmp_path) as database:
        result = bastion(tmp_path, database, "users", "list")
    assert_one_line_refusal(result, NOT_MIGRATED, describe(database.url, database.schema))


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
async def test_every_command_on_a_missing_sqlite_file_says_so_and_leaves_no_file(
    command: list[str], tmp_path: Path
) -> None:
    async with empty_database("sqlite", tmp_path) as database:
        result = bastion(tmp_path, database, *command)
    assert_one_line_refusal(result, NOT_MIGRATED)
    assert not (tmp_path / "bastion.db").exists()


async def test_an_empty_sqlite_file_is_not_migrated_either(tmp_path: Path) -> None:
    async with empty_database("sqlite", tmp_path) as database:
        (tmp_path / "bastion.db").touch()
        result = bastion(tmp_path, database, "users", "list")
    assert_one_line_refusal(result, NOT_MIGRATED)


@pytest.mark.postgres
async def test_serve_refuses_an_unmigrated_postgresql_database(tmp_path: Path) -> None:
    async with empty_database("postgres", tmp_path) as database:
        result = bastion(tmp_path, database, "serve", "--port", "9")
    assert_one_line_refusal(result, NOT_MIGRATED)


@pytest.mark.postgres
async def test_a_missing_schema_is_named_and_db_upgrade_creates_it(tmp_path: Path) -> None:
    async with empty_database("postgres", tmp_path) as database:
        engine = Database(database.url).create_engine(pool_size=1)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{database.schema}"'))
        finally:
            await engine.dispose()
        refused = bastion(tmp_path, database, "serve", "--port", "9")
        upgraded = bastion(tmp_path, database, "db", "upgrade")
        listed = bastion(tmp_path, database, "users", "list")
    assert_one_line_refusal(refused, f"the schema {database.schema!r} does not exist", "run `bastion db upgrade`")
    assert upgraded.returncode == 0, upgraded.stderr
    assert listed.returncode == 0, listed.stderr
    assert "0 of 0" in listed.stdout


def test_messages_never_show_the_password() -> None:
    where = describe("postgresql+asyncpg://bastion:s3cret@db.example.org/bastion", "auth")
    assert where == "postgresql+asyncpg://bastion:***@db.example.org/bastion (schema auth)"
