"""The default database pool: 10 on SQLite; on PostgreSQL a share of 80 connections, 10 to 32 per worker."""

from __future__ import annotations

import pytest

from entrypoints.process_tuning import POSTGRES_CONNECTION_BUDGET, SQLITE_POOL_SIZE, default_database_pool_size
from entrypoints.settings import Settings, SettingsError, load_settings

SECRET = {"BASTION_SECRET_KEY": "s" * 48}
POSTGRES = "postgresql+asyncpg://bastion@db.example/bastion"


@pytest.mark.parametrize(
    ("workers", "size"),
    [(1, 32), (2, 32), (3, 26), (4, 20), (5, 16), (8, 10), (16, 10), (64, 10)],
)
def test_postgresql_workers_share_a_budget_of_connections(workers: int, size: int) -> None:
    assert default_database_pool_size(POSTGRES, workers) == size


def test_up_to_eight_workers_stay_within_the_budget_together() -> None:
    for workers in range(1, 9):
        assert workers * default_database_pool_size(POSTGRES, workers) <= POSTGRES_CONNECTION_BUDGET


@pytest.mark.parametrize("workers", [1, 4, 32])
def test_sqlite_keeps_its_pool_whatever_the_workers(workers: int) -> None:
    assert default_database_pool_size("sqlite+aiosqlite:///./bastion.db", workers) == SQLITE_POOL_SIZE


def test_load_settings_picks_the_default_for_the_database_and_the_workers() -> None:
    assert load_settings(SECRET, env_file=None).database.pool_size == SQLITE_POOL_SIZE
    assert Settings().database.pool_size == SQLITE_POOL_SIZE  # the default URL is SQLite's
    environ = {**SECRET, "BASTION_DATABASE_URL": POSTGRES}
    assert load_settings(environ, env_file=None).database.pool_size == 32
    assert load_settings(environ, env_file=None, workers=4).database.pool_size == 20


def test_a_configured_pool_size_wins_over_the_default() -> None:
    environ = {**SECRET, "BASTION_DATABASE_URL": POSTGRES, "BASTION_DATABASE_POOL_SIZE": "7"}
    assert load_settings(environ, env_file=None).database.pool_size == 7
    assert load_settings(environ, env_file=None, workers=8).database.pool_size == 7


@pytest.mark.parametrize("value", ["0", "201", "many"])
def test_a_pool_size_out_of_range_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="database_pool_size"):
        load_settings({**SECRET, "BASTION_DATABASE_POOL_SIZE": value}, env_file=None)
