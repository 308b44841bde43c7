"""The coredis client: one per process, entered for the lifetime of the application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import coredis
from coredis.retry import NoRetryPolicy

CONNECT_TIMEOUT_S = 0.5
COMMAND_TIMEOUT_S = 1.0


@asynccontextmanager
async def redis_client(url: str) -> AsyncIterator[coredis.Redis[str]]:
    """A client for `url` with short timeouts and no retries: a Redis that does not answer must be
    noticed within a second, so callers can fall back instead of stalling requests.

    Entering connects nothing; commands raise `coredis.exceptions.ConnectionError` (or
    `TimeoutError`) while the server is unreachable.
    """
    client = coredis.Redis.from_url(
        url,
        decode_responses=True,
        connect_timeout=CONNECT_TIMEOUT_S,
        stream_timeout=COMMAND_TIMEOUT_S,
        retry_policy=NoRetryPolicy(),
    )
    async with client:
        yield client
