"""The repository's own files: what the Makefile runs on a clean clone and what git leaves out."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from entrypoints.settings import DEV_SECRET_FILE

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")


def _dry_run_install(tmp_path: Path) -> str:
    """The commands `make install` would run on a clean clone where uv is not on PATH."""
    for name in ("Makefile", "pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        [MAKE or "make", "-n", "install"],
        cwd=tmp_path,
        env={"PATH": str(empty)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_installs_uv_into_a_throw_away_venv_and_never_into_the_system_python(tmp_path: Path) -> None:
    commands = _dry_run_install(tmp_path)
    assert "-m venv .uv-bootstrap" in commands
    assert ".uv-bootstrap/bin/pip install" in commands
    assert ".uv-bootstrap/bin/uv sync --frozen" in commands
    assert "python3 -m pip" not in commands


@pytest.mark.parametrize(
    "path",
    [
        "keys/20260101T000000_abc.jwk",
        "bastion.db",
        "other.db",
        "other.db-wal",
        "other.db-shm",
        "tokens.json",
        ".bastion-secret",
        ".uv-bootstrap/bin/uv",
        ".env",
        "deploy/bastion.env",
        "deploy/secrets/secret_key.txt",
    ],
)
def test_git_ignores_what_running_bastion_writes_into_the_work_tree(path: str) -> None:
    result = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False)
    assert result.returncode == 0, f"{path} is not ignored"


def test_the_development_secret_file_is_the_ignored_one() -> None:
    assert f"{DEV_SECRET_FILE}\n" in (ROOT / ".gitignore").read_text()
