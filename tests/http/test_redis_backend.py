"""The production wiring with Redis: limits, lockout and revocations in the shared store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from adapters.sql.migrations.migrate import upgrade_async
from entrypoints.asgi import build_app
from tests.http.conftest import PASSWORD, bearer, make_settings
from tests.redis_servers import PrivateRedis, new_prefix, redis_url, require_shared_redis

pytestmark = [pytest.mark.redis, pytest.mark.slow]


async def _client(tmp_path: Path, url: str, **overrides: Any) -> AsyncTestClient[Any]:
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bastion.db'}",
        redis_url=url,
        redis_prefix=new_prefix(),
        **overrides,
    )
    await upgrade_async(settings.database.url)
    return AsyncTestClient(build_app(settings), base_url="http://127.0.0.1:8000")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    await require_shared_redis()
    async with await _client(tmp_path, redis_url(), max_failed_logins=5) as client:
        yield client


async def test_readiness_reports_redis_ok(client: AsyncTestClient[Any]) -> None:
    body = (await client.get("/health/ready")).json()
    assert body["checks"] == {"database": "ok", "redis": "ok"}


async def test_lockout_counts_live_in_redis_and_hold_under_parallel_guesses(client: AsyncTestClient[Any]) -> None:
    await client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
    responses = await asyncio.gather(
        *(client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-Pass-1"}) for _ in range(25))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 5 + [429] * 20


async def test_logout_revokes_the_access_token_through_redis(client: AsyncTestClient[Any]) -> None:
    await client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
    pair = (await client.post("/auth/login", json={"username": "ada", "password": PASSWORD})).json()
    assert (await client.get("/auth/verify", headers=bearer(pair))).status_code == 204
    await client.post("/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=bearer(pair))
    assert (await client.get("/auth/verify", headers=bearer(pair))).status_code == 401


async def test_a_redis_outage_degrades_to_in_process_limits_and_recovers(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        async with await _client(tmp_path, server.url, login_rate_limit_per_minute=3) as client:
            assert (await client.get("/health/ready")).json()["checks"]["redis"] == "ok"
            server.stop()
            ready = await client.get("/health/ready")
            assert ready.status_code == 200
            assert ready.json()["checks"]["redis"] == "degraded"
            # Limits still hold, from the in-process fallback: neither open nor closed for everyone.
            login = {"email": "nobody@example.org", "password": "Wrong-Pass-1"}
            statuses = [(await client.post("/auth/login", json=login)).status_code for _ in range(4)]
            assert statuses == [401, 401, 401, 429]
            server.start()
            for _ in range(100):
                if (await client.get("/health/ready")).json()["checks"]["redis"] == "ok":
                    break
                await asyncio.sleep(0.05)
            assert (await client.get("/health/ready")).json()["checks"]["redis"] == "ok"
    finally:
        server.stop()
