"""Redis for tests: the shared server of `BASTION_TEST_REDIS_URL` under a key prefix per test, and
private throw-away servers that a test may stop and start (outages).

- `redis_url()`: the shared server's URL (default `redis://127.0.0.1:6379/0`).
- `shared_redis()`: an async context manager yielding `(client, prefix)`; it skips the test when the
  server does not answer (fails with `CI=true`) and deletes the prefix's keys afterwards.
- `PrivateRedis`: `start()` / `stop()` a `redis-server` of its own on a free port (`.url`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import coredis

from adapters.kv.client import redis_client
from tests.backends import service_unavailable

REDIS_URL_VARIABLE = "BASTION_TEST_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_url() -> str:
    return os.environ.get(REDIS_URL_VARIABLE) or DEFAULT_REDIS_URL


def new_prefix() -> str:
    return f"bastion-test-{secrets.token_hex(6)}:"


async def require_shared_redis() -> None:
    """Skip the test (fail it in CI) unless the shared test server answers."""
    unavailable: str | None = None
    async with redis_client(redis_url()) as client:
        try:
            await client.ping()
        except Exception as error:
            unavailable = f"Redis at {redis_url()} did not answer ({type(error).__name__}); set {REDIS_URL_VARIABLE}"
    if unavailable is not None:
        # Outside the client's block: anyio would wrap pytest's skip or fail in an exception group.
        service_unavailable(unavailable)


@asynccontextmanager
async def shared_redis() -> AsyncIterator[tuple[coredis.Redis[str], str]]:
    """The shared test server with a fresh key prefix; its keys are removed afterwards."""
    prefix = new_prefix()
    await require_shared_redis()
    async with redis_client(redis_url()) as client:
        try:
            yield client, prefix
        finally:
            keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
            if keys:
                await client.delete(keys)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A `redis-server` process of the test's own, on a free port, that can be stopped and restarted."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_unavailable("redis-server is not installed")
        self._process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self._workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None
