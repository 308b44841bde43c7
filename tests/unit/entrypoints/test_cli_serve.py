"""`bastion serve` before the server starts: hashing threads per worker and glibc's malloc arenas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from entrypoints import cli, process_tuning
from entrypoints.process_tuning import available_cores, default_hash_threads, malloc_arena_max, tune_malloc

GLIBC = (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc") if hasattr(os, "confstr") else False


class Mallopt:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, parameter: int, value: int) -> int:
        self.calls.append((parameter, value))
        return 1


def test_the_arena_limit_leaves_glibcs_own_limit_to_everything_but_bastions_threads() -> None:
    # glibc's default is 8 arenas per core; on top, one per hashing thread and per SQLite connection.
    assert malloc_arena_max(cores=2, hash_threads=3, database_pool_size=10) == 16 + 3 + 10
    assert malloc_arena_max(cores=2, hash_threads=3, database_pool_size=50) == 16 + 3 + 50


def test_tune_malloc_raises_the_limit_here_and_for_worker_processes() -> None:
    environ, mallopt = {"PATH": "/bin"}, Mallopt()
    arenas = tune_malloc(cores=2, hash_threads=1, database_pool_size=10, environ=environ, mallopt=mallopt)
    assert arenas == malloc_arena_max(cores=2, hash_threads=1, database_pool_size=10)
    assert mallopt.calls == [(process_tuning._M_ARENA_MAX, arenas)]
    assert environ["MALLOC_ARENA_MAX"] == str(arenas)


@pytest.mark.parametrize(
    "operator_choice",
    [{"MALLOC_ARENA_MAX": "2"}, {"GLIBC_TUNABLES": "glibc.malloc.check=0:glibc.malloc.arena_max=4"}],
)
def test_tune_malloc_leaves_an_operators_choice_alone(operator_choice: dict[str, str]) -> None:
    environ, mallopt = dict(operator_choice), Mallopt()
    assert tune_malloc(cores=2, hash_threads=1, database_pool_size=10, environ=environ, mallopt=mallopt) is None
    assert mallopt.calls == []
    assert environ == operator_choice


def test_tune_malloc_does_nothing_without_glibc() -> None:
    environ: dict[str, str] = {}
    assert tune_malloc(cores=2, hash_threads=1, database_pool_size=10, environ=environ, mallopt=None) is None
    assert environ == {}


@pytest.mark.skipif(not GLIBC, reason="glibc only")
def test_glibcs_mallopt_accepts_the_arena_limit() -> None:
    # In a process of its own: the limit is process-wide and must not leak into the test run.
    code = (
        "from entrypoints.process_tuning import _M_ARENA_MAX, _glibc_mallopt, tune_malloc; "
        "print(tune_malloc(cores=2, hash_threads=1, database_pool_size=10, environ={}, mallopt=_glibc_mallopt()), "
        "_glibc_mallopt()(_M_ARENA_MAX, 64))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    arenas, result = output.split()
    assert int(arenas) == malloc_arena_max(cores=2, hash_threads=1, database_pool_size=10)
    assert result == "1"  # mallopt's "done"


def test_serve_hands_the_per_worker_default_and_the_arena_limit_to_the_worker_processes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    monkeypatch.chdir(tmp_path)  # no .env file, no development secret file anywhere else
    for name in [name for name in os.environ if name.startswith("BASTION_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.setenv("BASTION_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("BASTION_DATABASE_URL", "postgresql+asyncpg://bench@127.0.0.1/never-connected")
    monkeypatch.setenv("BASTION_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(cli, "readiness_problem", lambda url, schema: None)  # the database is never reached
    mallopt = Mallopt()
    monkeypatch.setattr(process_tuning, "_glibc_mallopt", lambda: mallopt)
    seen: dict[str, Any] = {}

    def run(app: str, **options: Any) -> None:
        seen.update(options, environ=dict(os.environ))

    monkeypatch.setattr(uvicorn, "run", run)

    assert cli.main(["serve", "--workers", "4"]) == 0

    assert seen["workers"] == 4
    assert seen["environ"]["BASTION_HASH_THREADS"] == str(default_hash_threads(available_cores(), 4))
    assert seen["environ"]["BASTION_DATABASE_POOL_SIZE"] == "20"  # 80 PostgreSQL connections for 4 workers
    assert seen["environ"]["MALLOC_ARENA_MAX"] == str(mallopt.calls[0][1])
