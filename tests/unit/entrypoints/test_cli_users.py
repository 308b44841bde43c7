"""`bastion users deactivate`, `activate` and `reset-mfa` on a migrated SQLite file, audited alike."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from entrypoints import cli
from tests.e2e.servers import PASSWORD


@pytest.fixture
def database(migrated_database: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The migrated SQLite file holding the administrator ada@example.org, used by `cli.main`."""
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    assert cli.main(["create-admin", "--email", "ada@example.org", "--username", "ada", "--password-stdin"]) == 0
    return migrated_database


def _admin_updates(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM audit_events WHERE type = 'user.updated_by_admin' ORDER BY created_at"
        ).fetchall()
    return [data for (data,) in rows]


def test_activate_undoes_deactivate_and_both_are_audited(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["users", "deactivate", "ada@example.org"]) == 0
    assert "active=False" in capsys.readouterr().out
    assert cli.main(["users", "activate", "ada@example.org"]) == 0
    assert "active=True" in capsys.readouterr().out
    updates = _admin_updates(database)
    assert len(updates) == 2
    assert all('"fields":"is_active"' in data.replace(" ", "") for data in updates)


def test_activating_an_unknown_account_is_refused(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["users", "activate", "nobody@example.org"]) == 1
    assert capsys.readouterr().err.startswith("bastion: ")


def test_reset_mfa_turns_totp_off_and_is_audited(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(database) as connection:
        [(user_id,)] = connection.execute("SELECT id FROM users").fetchall()
        connection.execute("UPDATE users SET mfa_enabled = 1")
        connection.execute(
            "INSERT INTO second_factors (user_id, sealed_secret, state, created_at) "
            "VALUES (?, 'sealed', 'active', '2026-01-01 00:00:00.000000')",
            (user_id,),
        )

    assert cli.main(["users", "reset-mfa", "ada@example.org"]) == 0

    assert "second factors off" in capsys.readouterr().out
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT mfa_enabled FROM users").fetchall() == [(0,)]
        assert connection.execute("SELECT count(*) FROM second_factors").fetchall() == [(0,)]
        [(data,)] = connection.execute("SELECT data FROM audit_events WHERE type = 'mfa.reset_by_admin'").fetchall()
    assert '"had_factor":true' in data.replace(" ", "")
