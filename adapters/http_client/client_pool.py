"""HttpClientPool: the one httpx connection pool of an adapter that calls an HTTP service."""

from __future__ import annotations

import httpx

from adapters.lifecycle import Lifecycle


class HttpClientPool(Lifecycle):
    """An `httpx.AsyncClient` opened on first use (in the serving event loop) and closed by `stop`:
    `timeout_seconds` on each socket operation, Bastion's User-Agent, redirects not followed."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Nothing to acquire: the pool opens on first use, in the serving event loop."""

    async def stop(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout, headers={"User-Agent": "Bastion"}, follow_redirects=False
            )
        return self._client
