"""`bastion api-keys list` and `revoke` on a migrated SQLite file."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

import pytest

from application.api_keys.create_api_key import CreateApiKey
from entrypoints import cli
from entrypoints.container.lifecycle import production, start, stop
from entrypoints.settings import load_settings
from tests.e2e.servers import PASSWORD


@pytest.fixture
def key_id(migrated_database: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The id of an API key of ada@example.org, in the migrated SQLite file `cli.main` uses."""
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    assert cli.main(["create-admin", "--email", "ada@example.org", "--username", "ada", "--password-stdin"]) == 0
    with sqlite3.connect(migrated_database) as connection:
        [(user_id,)] = connection.execute("SELECT id FROM users").fetchall()

    async def made() -> str:
        use_cases, adapters = production(load_settings())
        await start(use_cases, adapters)
        try:
            made = await use_cases.create_api_key().handle(
                CreateApiKey(user_id=user_id, name="backup", scopes=["tasks:read"])
            )
        finally:
            await stop(use_cases, adapters)
        return made.key.id

    return asyncio.run(made())


def test_list_shows_the_keys_and_revoke_ends_one(key_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli.main(["api-keys", "list", "ada@example.org"]) == 0
    listed = capsys.readouterr().out
    assert key_id in listed
    assert "'backup'" in listed
    assert "scopes=tasks:read" in listed

    assert cli.main(["api-keys", "revoke", "ada@example.org", key_id]) == 0
    assert f"revoked API key {key_id}" in capsys.readouterr().out
    assert cli.main(["api-keys", "list", "ada@example.org"]) == 0
    assert key_id not in capsys.readouterr().out


def test_revoking_an_unknown_key_is_refused(key_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["api-keys", "revoke", "ada@example.org", "no-such-key"]) == 1
    assert capsys.readouterr().err.startswith("bastion: ")
