"""Migration 0014 (social login) on a database with accounts in it, on SQLite and PostgreSQL: the
change to `users.hashed_password` keeps every account and every row that references one (SQLite
must not copy and drop `users`, whose ON DELETE CASCADE would empty them), both ways."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import mapping
from adapters.sql.migrations.migrate import alembic_config, upgrade_async
from adapters.sql.tables import metadata, mfa_challenges, sessions, users
from domain.accounts import User
from domain.opaque_tokens import hash_token
from domain.second_factor import MfaChallenge
from tests.backends import SQL_BACKENDS, Database, empty_database
from tests.builders import NOW, a_session, a_user

BEFORE = "0013_service_accounts"


@pytest.fixture(params=SQL_BACKENDS)
async def before_social_login(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with empty_database(request.param, tmp_path) as database:
        await upgrade_async(database.url, schema=database.schema, revision=BEFORE)
        yield database


@pytest.fixture
async def engine(before_social_login: Database) -> AsyncIterator[AsyncEngine]:
    engine = before_social_login.create_engine()
    try:
        yield engine
    finally:
        await engine.dispose()


def _differences(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


def _downgrade(connection: Connection, database: Database) -> None:
    config = alembic_config(database.url, schema=database.schema)
    config.attributes["connection"] = connection
    command.downgrade(config, BEFORE)


async def _store_an_account_with_a_session_and_an_mfa_step(engine: AsyncEngine, user: User) -> None:
    challenge = MfaChallenge.open(token_hash=hash_token(user.id), user_id=user.id, now=NOW)
    # Without `first_factor`, which the columns before 0014 do not have.
    challenge_row = {
        key: value for key, value in mapping.mfa_challenge_to_row(challenge).items() if key != "first_factor"
    }
    async with engine.begin() as connection:
        await connection.execute(users.insert().values(mapping.user_to_row(user)))
        await connection.execute(sessions.insert().values(mapping.session_to_row(a_session(user))))
        await connection.execute(mfa_challenges.insert().values(challenge_row))


async def _counts(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as connection:
        return {
            table.name: (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            for table in (users, sessions, mfa_challenges)
        }


async def _password_of(engine: AsyncEngine, user: User) -> str | None:
    async with engine.connect() as connection:
        found = await connection.execute(select(users.c.hashed_password).where(users.c.id == user.id))
        password_hash: str | None = found.scalar_one()
        return password_hash


async def test_upgrading_keeps_the_accounts_and_what_references_them(
    engine: AsyncEngine, before_social_login: Database
) -> None:
    user = a_user()
    await _store_an_account_with_a_session_and_an_mfa_step(engine, user)

    await upgrade_async(before_social_login.url, schema=before_social_login.schema)

    assert await _counts(engine) == {"users": 1, "sessions": 1, "mfa_challenges": 1}
    assert await _password_of(engine, user) == user.hashed_password
    async with engine.connect() as connection:
        first_factors = (await connection.execute(select(mfa_challenges.c.first_factor))).scalars().all()
        assert await connection.run_sync(_differences) == []
    assert first_factors == ["pwd"]


async def test_downgrading_keeps_the_accounts_and_gives_those_without_a_password_an_unusable_one(
    engine: AsyncEngine, before_social_login: Database
) -> None:
    with_password = a_user()
    await _store_an_account_with_a_session_and_an_mfa_step(engine, with_password)
    await upgrade_async(before_social_login.url, schema=before_social_login.schema)
    without_password = a_user(hashed_password=None)
    async with engine.begin() as connection:
        await connection.execute(users.insert().values(mapping.user_to_row(without_password)))
        await connection.execute(sessions.insert().values(mapping.session_to_row(a_session(without_password))))

    async with engine.connect() as connection:
        await connection.run_sync(_downgrade, before_social_login)
        await connection.commit()

    assert await _counts(engine) == {"users": 2, "sessions": 2, "mfa_challenges": 1}
    assert await _password_of(engine, with_password) == with_password.hashed_password
    assert await _password_of(engine, without_password) == "!"
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(users.insert().values(mapping.user_to_row(a_user(hashed_password=None))))

    await upgrade_async(before_social_login.url, schema=before_social_login.schema)
    assert await _counts(engine) == {"users": 2, "sessions": 2, "mfa_challenges": 1}
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
