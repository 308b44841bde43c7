"""The coredis client: one per process, entered for the lifetime of the application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import coredis
from coredis.retry import NoRetryPolicy

from adapters.lifecycle import Lifecycle

CONNECT_TIMEOUT_S = 0.5
COMMAND_TIMEOUT_S = 1.0


def create_redis_client(url: str) -> coredis.Redis[str]:
    """A client for `url` with short timeouts and no retries: a Redis that does not answer must be
    noticed within a second, so callers can fall back instead of stalling requests.

    coredis 6 clients must be entered (`async with client:`, in one task) before use. Entering
    connects nothing; commands raise `coredis.exceptions.ConnectionError` (or `TimeoutError`)
    while the server is unreachable.
    """
    return coredis.Redis.from_url(
        url,
        decode_responses=True,
        connect_timeout=CONNECT_TIMEOUT_S,
        stream_timeout=COMMAND_TIMEOUT_S,
        retry_policy=NoRetryPolicy(),
    )


@asynccontextmanager
async def redis_client(url: str) -> AsyncIterator[coredis.Redis[str]]:
    """`create_redis_client(url)`, entered for the duration of the block."""
    async with create_redis_client(url) as client:
        yield client


class RedisConnection(Lifecycle):
    """Keeps one client entered for the lifetime of the application.

    coredis 6 clients must be left in the task that entered them (anyio cancel scopes), while an
    application's start and stop hooks may run in different tasks; so a task of its own enters the
    client at `start` and leaves it at `stop`. `client` can be handed out before `start`.
    """

    def __init__(self, url: str) -> None:
        self.client = create_redis_client(url)
        self._release = asyncio.Event()
        self._holder: asyncio.Task[None] | None = None

    async def _hold(self, entered: asyncio.Future[None]) -> None:
        async with self.client:
            entered.set_result(None)
            await self._release.wait()

    async def start(self) -> None:
        entered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._release.clear()
        self._holder = asyncio.create_task(self._hold(entered))
        await asyncio.wait([entered, self._holder], return_when=asyncio.FIRST_COMPLETED)
        if not entered.done():
            await self._holder  # entering failed: raise why

    async def stop(self) -> None:
        if self._holder is None:
            return
        self._release.set()
        await self._holder
        self._holder = None
