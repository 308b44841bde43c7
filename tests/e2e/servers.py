"""Real `bastion serve` processes for end-to-end tests: free ports, a fresh SQLite file, extra settings."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PASSWORD = "Correct-Horse-9"
BASTION = str(Path(sys.executable).with_name("bastion"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(workdir: Path, **settings: str) -> dict[str, str]:
    """The process environment without the caller's BASTION_* variables, plus `settings` (BASTION_<NAME>)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BASTION_")}
    env["BASTION_DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'bastion.db'}"
    env.update({f"BASTION_{name.upper()}": value for name, value in settings.items()})
    return env


def wait_for(predicate: Callable[[], object], seconds: float) -> None:
    """Poll `predicate` every 0.1 s until it is true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


class ServerLog:
    """What a server wrote to standard error, filled in when it has stopped."""

    text: str = ""


@contextmanager
def server(
    workdir: Path, *, workers: int = 1, log: ServerLog | None = None, port: int | None = None, **settings: str
) -> Iterator[str]:
    """A server in `workdir` (where it keeps its development secret); yields its base URL.

    Its standard error goes to a file in `workdir` (`server-<port>.log`): a pipe read only at the end
    would fill up and block a server that logs a lot (a fuzzing run) on its next write. `port`: a
    port chosen beforehand (`free_port`), for settings that name it."""
    port = port or free_port()
    stderr_path = workdir / f"server-{port}.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [BASTION, "serve", "--port", str(port), "--workers", str(workers)],
            cwd=workdir,
            env=environment(workdir, **settings),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            process.terminate()
            process.wait(timeout=10)
            raise AssertionError(stderr_path.read_text(errors="replace")[-2000:])
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        if log is not None:
            log.text = stderr_path.read_text(errors="replace")


def started_workers(workdir: Path, base: str, count: int) -> list[int]:
    """The process ids of the `count` workers of the server at `base` in `workdir`, once each has
    finished its start-up (read from the server's log)."""
    log_file = workdir / f"server-{base.rsplit(':', 1)[1]}.log"
    found: list[int] = []

    def all_started() -> bool:
        text = log_file.read_text(errors="replace")
        found[:] = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", text)]
        return len(found) == count and text.count("Application startup complete") == count

    wait_for(all_started, seconds=60)
    return found


@contextmanager
def only(worker: int, workers: list[int]) -> Iterator[None]:
    """Only `worker` accepts new connections meanwhile: the others are stopped (SIGSTOP).

    Which worker the kernel hands a connection to is up to the scheduler (a busy machine can give
    every one to the same worker), so a test that must reach each worker asks each in turn. uvicorn's
    parent replaces a worker that does not answer its health check for 5 seconds: keep it short."""
    others = [pid for pid in workers if pid != worker]
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)
