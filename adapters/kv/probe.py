"""RedisProbe: does Redis answer?"""

from __future__ import annotations

import asyncio

import coredis

from application.ops.check_readiness import ServiceProbe

PROBE_TIMEOUT_S = 0.5


class RedisProbe(ServiceProbe):
    """PINGs Redis with a short timeout: `ok`, or `degraded` while it does not answer (the limiters and
    the revocation list then run on their in-process fallbacks)."""

    name = "redis"

    def __init__(self, client: coredis.Redis[str]) -> None:
        self._client = client

    async def status(self) -> str:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_S):
                await self._client.ping()
        except Exception:  # any failure to answer is an outage to report, not to raise
            return "degraded"
        return "ok"
