"""Two server processes sharing one Redis (and one database): limits are global, revocations travel."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.servers import PASSWORD, server
from tests.redis_servers import new_prefix, redis_url, require_shared_redis

pytestmark = [pytest.mark.slow, pytest.mark.redis]


@pytest.fixture
async def two_servers(tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    await require_shared_redis()
    shared = {"redis_url": redis_url(), "redis_prefix": new_prefix(), "login_rate_limit_per_minute": "5"}
    with server(tmp_path, **shared) as first, server(tmp_path, **shared) as second:
        yield first, second


async def test_the_login_limit_per_ip_is_global_across_processes(two_servers: tuple[str, str]) -> None:
    first, second = two_servers
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    f"{(first, second)[n % 2]}/auth/login", json={"email": f"u{n}@example.org", "password": "x"}
                )
                for n in range(12)
            )
        )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 5 + [429] * 7


async def test_a_logout_through_one_process_kills_the_token_on_the_other_within_100_ms(
    two_servers: tuple[str, str],
) -> None:
    first, second = two_servers
    async with httpx.AsyncClient() as client:
        await client.post(
            f"{first}/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD}
        )
        delays = []
        for _ in range(3):
            pair = (await client.post(f"{second}/auth/login", json={"username": "ada", "password": PASSWORD})).json()
            headers = {"Authorization": f"Bearer {pair['access_token']}"}
            assert (await client.get(f"{second}/auth/verify", headers=headers)).status_code == 204
            logout = await client.post(
                f"{first}/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=headers
            )
            assert logout.status_code == 204
            logged_out_at = time.monotonic()
            while (await client.get(f"{second}/auth/verify", headers=headers)).status_code != 401:
                assert time.monotonic() - logged_out_at < 5, "the revocation never reached the other process"
                await asyncio.sleep(0.002)
            delays.append(time.monotonic() - logged_out_at)
    # The median of three, so that one scheduling hiccup on a busy machine does not decide.
    assert statistics.median(delays) < 0.1, delays
