"""`bastion service-accounts list`, `create`, `delete` and `rotate-secret` on a migrated SQLite file
(`migrated_database`, in this folder's conftest)."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path

import pytest

from application.service_accounts.issue_service_token import IssueServiceToken
from domain.errors import InvalidClientError
from entrypoints import cli
from entrypoints.container.lifecycle import production, start, stop
from entrypoints.settings import load_settings


def _printed(pattern: str, out: str) -> str:
    """The value a line of `out` matching `pattern` printed."""
    found = re.search(pattern, out, re.MULTILINE)
    assert found, out
    return found[1]


def _created(out: str) -> tuple[str, str, str]:
    """The id, client id and secret that `create` printed."""
    return (
        _printed(r"^created service account (\S+) ", out),
        _printed(r"^client_id: (\S+)$", out),
        _printed(r"^client_secret: (\S+)$", out),
    )


def _granted(client_id: str, client_secret: str) -> bool:
    """Whether the grant gives a token for these credentials, through the production use cases."""

    async def grant() -> bool:
        use_cases, adapters = production(load_settings())
        await start(use_cases, adapters)
        try:
            await use_cases.issue_service_token().handle(
                IssueServiceToken(client_id=client_id, client_secret=client_secret)
            )
        except InvalidClientError:
            return False
        finally:
            await stop(use_cases, adapters)
        return True

    return asyncio.run(grant())


def test_create_prints_the_credentials_once_and_list_shows_the_account(
    migrated_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(["service-accounts", "create", "billing sync", "--scope", "tasks:read", "--scope", "tasks:write"]) == 0
    )
    out = capsys.readouterr().out
    account_id, client_id, secret = _created(out)
    assert client_id.startswith("svc_")
    assert "shown only now" in out
    assert _granted(client_id, secret)

    assert cli.main(["service-accounts", "list"]) == 0
    listed = capsys.readouterr().out
    assert account_id in listed
    assert client_id in listed
    assert "'billing sync'" in listed
    assert "scopes=tasks:read,tasks:write" in listed
    assert secret not in listed
    assert "1 service accounts" in listed
    with sqlite3.connect(migrated_database) as connection:
        rows = connection.execute("SELECT type, data FROM audit_events").fetchall()
    assert [row[0] for row in rows] == ["service_account.created"]
    assert json.loads(rows[0][1])["actor_id"] is None
    assert secret not in rows[0][1]


def test_rotate_secret_prints_a_new_secret_and_the_old_one_stops_working(
    migrated_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["service-accounts", "create", "backup", "--scope", "tasks:read"]) == 0
    account_id, client_id, old_secret = _created(capsys.readouterr().out)

    assert cli.main(["service-accounts", "rotate-secret", account_id]) == 0
    out = capsys.readouterr().out
    new_secret = _printed(r"^client_secret: (\S+)$", out)

    assert "shown only now" in out
    assert new_secret != old_secret
    assert not _granted(client_id, old_secret)
    assert _granted(client_id, new_secret)
    assert cli.main(["service-accounts", "list"]) == 0
    assert "secret_rotated=never" not in capsys.readouterr().out


def test_delete_ends_the_account(migrated_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["service-accounts", "create", "backup", "--scope", "tasks:read"]) == 0
    account_id, client_id, secret = _created(capsys.readouterr().out)

    assert cli.main(["service-accounts", "delete", account_id]) == 0
    assert f"deleted service account {account_id}" in capsys.readouterr().out

    assert not _granted(client_id, secret)
    assert cli.main(["service-accounts", "list"]) == 0
    listed = capsys.readouterr().out
    assert account_id not in listed
    assert "0 service accounts" in listed


@pytest.mark.parametrize("words", [["delete"], ["rotate-secret"]])
def test_an_unknown_account_is_refused(
    migrated_database: Path, words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["service-accounts", *words, "no-such-account"]) == 1
    assert capsys.readouterr().err.startswith("bastion: ")


def test_a_broken_name_is_refused_with_its_rule(migrated_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["service-accounts", "create", "  ", "--scope", "tasks:read"]) == 1
    assert capsys.readouterr().err.startswith("bastion: name: ")


def test_create_needs_a_known_scope(migrated_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["service-accounts", "create", "backup"])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        cli.main(["service-accounts", "create", "backup", "--scope", "admin"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
