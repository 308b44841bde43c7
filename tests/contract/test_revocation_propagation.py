"""RedisRevocationList beyond the port contract: propagation between processes, loading at start,
outages, and housekeeping of the stored set.

Each instance stands for one process, with a client of its own; they share only the server and the
key prefix.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.kv.client import redis_client
from adapters.kv.revocation_list import RedisRevocationList
from domain.ids import UserId, new_session_id, new_user_id
from domain.sessions import AccessClaims
from tests.redis_servers import PrivateRedis, redis_url, shared_redis

pytestmark = pytest.mark.redis

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ACCESS_TTL = timedelta(minutes=15)
UNTIL = NOW + ACCESS_TTL
PROPAGATION_BOUND_S = 0.1
POLL_STEP_S = 0.002
POLL_LIMIT_S = 2.0

StartInstance = Callable[[], Awaitable[RedisRevocationList]]


def claims(*, subject: UserId | None = None, issued_at: datetime = NOW) -> AccessClaims:
    return AccessClaims(
        subject=subject or new_user_id(),
        session_id=new_session_id(),
        roles=("user",),
        issued_at=issued_at,
        expires_at=issued_at + ACCESS_TTL,
    )


@asynccontextmanager
async def processes_on_shared_redis() -> AsyncIterator[StartInstance]:
    """Makes started instances on the shared server, each with a client of its own, under one prefix.

    A context manager entered in the test itself rather than a fixture: coredis 6 clients must be left
    by the task that entered them, and pytest-asyncio tears fixtures down in another task.
    """
    async with shared_redis() as (_, prefix), AsyncExitStack() as stack:

        async def start_instance() -> RedisRevocationList:
            client = await stack.enter_async_context(redis_client(redis_url()))
            instance = RedisRevocationList(client, prefix)
            await instance.start()
            stack.push_async_callback(instance.stop)
            return instance

        yield start_instance


async def seconds_until_revoked(instance: RedisRevocationList, token: AccessClaims, started: float) -> float:
    deadline = started + POLL_LIMIT_S
    while not instance.is_revoked(token, NOW):
        if time.monotonic() > deadline:
            pytest.fail(f"the revocation did not reach the other instance within {POLL_LIMIT_S} s")
        await asyncio.sleep(POLL_STEP_S)
    return time.monotonic() - started


async def test_a_revocation_reaches_another_process_within_100_ms() -> None:
    async with processes_on_shared_redis() as start_instance:
        writer, reader = await start_instance(), await start_instance()
        delays = []
        for _ in range(5):
            token = claims()
            await writer.revoke_sessions([token.session_id], until=UNTIL)
            delays.append(await seconds_until_revoked(reader, token, time.monotonic()))

        # The issue sets this bound, so it is asserted here (and only here). Every revocation must arrive
        # (each poll gives up after 2 s); the bound applies to the median of five, so one scheduler stall
        # on a loaded CI machine does not fail the run, while a design that misses it (polling Redis every
        # second, say) fails every time.
        assert statistics.median(delays) < PROPAGATION_BOUND_S, delays


async def test_a_user_entry_reaches_another_process() -> None:
    async with processes_on_shared_redis() as start_instance:
        writer, reader = await start_instance(), await start_instance()
        user_id = new_user_id()
        token = claims(subject=user_id, issued_at=NOW - timedelta(minutes=1))

        await writer.revoke_user(user_id, issued_before=NOW, until=UNTIL)

        await seconds_until_revoked(reader, token, time.monotonic())
        assert not reader.is_revoked(claims(subject=user_id, issued_at=NOW + timedelta(seconds=1)), NOW)


async def test_a_process_started_later_loads_the_earlier_revocations() -> None:
    async with processes_on_shared_redis() as start_instance:
        writer = await start_instance()
        user_id = new_user_id()
        session_token = claims()
        user_token = claims(subject=user_id, issued_at=NOW - timedelta(minutes=1))
        await writer.revoke_sessions([session_token.session_id], until=UNTIL)
        await writer.revoke_user(user_id, issued_before=NOW, until=UNTIL)

        latecomer = await start_instance()

        assert latecomer.connected
        assert latecomer.is_revoked(session_token, NOW)
        assert latecomer.is_revoked(user_token, NOW)
        assert not latecomer.is_revoked(claims(), NOW)


@pytest.mark.slow
async def test_revocations_made_during_an_outage_arrive_when_redis_returns(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        async with redis_client(server.url) as client_a, redis_client(server.url) as client_b:
            first, second = RedisRevocationList(client_a, "outage:"), RedisRevocationList(client_b, "outage:")
            await first.start()
            await second.start()
            try:
                await check_outage(server, first, second)
            finally:
                await first.stop()
                await second.stop()
    finally:
        server.stop()


async def check_outage(server: PrivateRedis, first: RedisRevocationList, second: RedisRevocationList) -> None:
    assert first.connected
    assert second.connected
    token = claims()

    server.stop()
    await first.revoke_sessions([token.session_id], until=UNTIL)

    assert first.is_revoked(token, NOW)
    assert not second.is_revoked(token, NOW)
    await wait_for(lambda: not first.connected and not second.connected, "both instances notice the outage")

    server.start()
    await wait_for(lambda: second.is_revoked(token, NOW), "the revocation reaches the other instance")
    await wait_for(lambda: first.connected and second.connected, "both instances reconnect")


async def wait_for(condition: Callable[[], bool], what: str, *, limit_s: float = 10.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        await asyncio.sleep(0.02)


async def test_expired_entries_are_removed_from_redis() -> None:
    async with shared_redis() as (client, prefix):
        revocations = RedisRevocationList(client, prefix)
        expired, live = claims(), claims()
        await revocations.revoke_sessions([expired.session_id], until=UNTIL)
        assert not revocations.is_revoked(expired, UNTIL + timedelta(minutes=1))

        await revocations.revoke_sessions([live.session_id], until=UNTIL + timedelta(hours=1))

        assert await client.zrange(f"{prefix}revoked", 0, -1) == (f"s:{live.session_id}",)
