"""`bastion users deactivate` and `bastion users activate` on a migrated SQLite file, audited alike."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from adapters.sql.migrations.migrate import upgrade
from entrypoints import cli
from tests.e2e.servers import PASSWORD


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite file holding the administrator ada@example.org, used by `cli.main`."""
    path = tmp_path / "bastion.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BASTION_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    upgrade(f"sqlite+aiosqlite:///{path}")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    assert cli.main(["create-admin", "--email", "ada@example.org", "--username", "ada", "--password-stdin"]) == 0
    return path


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
