"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.sql.migrations.migrate import upgrade


@pytest.fixture
def migrated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite file, empty, that `cli.main` uses (run from `tmp_path`, so no `.env` is read)."""
    path = tmp_path / "bastion.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BASTION_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path
