"""The fallbacks of the throttling ports: decisions keep coming while the shared store is down, the
outage is logged once and reported, and the store is used again when it answers."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from adapters.fallback import FallbackRateLimiter, OutageTracker
from adapters.kv.client import redis_client
from adapters.kv.rate_limiter import RedisRateLimiter
from adapters.memory.rate_limiter import MemoryRateLimiter
from application.errors import DependencyUnavailableError
from domain.ports.throttling import LoginAttemptCounter, RateLimiter
from domain.throttling import AttemptDecision, RateDecision
from tests.builders import NOW
from tests.redis_servers import PrivateRedis

COOL_DOWN = timedelta(seconds=2)
WINDOW = timedelta(minutes=1)
LOCKOUT = timedelta(minutes=15)
KEY = "email:ada@example.org"


class ManualMonotonic:
    """A monotonic clock for the cool-down that moves only when told to."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds

    def pass_cool_down(self) -> None:
        self.seconds += COOL_DOWN.total_seconds()


class SwitchableRateLimiter(RateLimiter):
    """An in-process limiter standing for a server that can be switched off; counts the calls it gets."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self._limiter = MemoryRateLimiter()

    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        self.calls += 1
        if self.down:
            raise DependencyUnavailableError("redis")
        return await self._limiter.hit(key, limit=limit, window=window, now=now)


@pytest.fixture
def monotonic() -> ManualMonotonic:
    return ManualMonotonic()


@pytest.fixture
def outage(monotonic: ManualMonotonic) -> OutageTracker:
    return OutageTracker("redis", cool_down=COOL_DOWN, monotonic=monotonic)


async def _hit(limiter: RateLimiter) -> RateDecision:
    return await limiter.hit(KEY, limit=5, window=WINDOW, now=NOW)


async def _begin(counter: LoginAttemptCounter) -> AttemptDecision:
    return await counter.begin(KEY, max_failures=3, lockout=LOCKOUT, now=NOW)


def _records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "bastion.fallback" and record.levelno == level]


async def test_decisions_come_from_the_fallback_while_the_primary_is_down(outage: OutageTracker) -> None:
    primary = SwitchableRateLimiter()
    limiter = FallbackRateLimiter(primary, MemoryRateLimiter(), outage=outage)
    primary.down = True

    decisions = [await _hit(limiter) for _ in range(3)]

    assert [decision.remaining for decision in decisions] == [4, 3, 2]
    assert limiter.degraded


async def test_an_answering_primary_decides_and_nothing_is_degraded(outage: OutageTracker) -> None:
    primary = SwitchableRateLimiter()
    limiter = FallbackRateLimiter(primary, MemoryRateLimiter(), outage=outage)

    decision = await _hit(limiter)

    assert decision.remaining == 4
    assert primary.calls == 1
    assert not limiter.degraded


async def test_an_outage_is_logged_once_without_keys(
    outage: OutageTracker, monotonic: ManualMonotonic, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bastion.fallback")
    primary = SwitchableRateLimiter()
    limiter = FallbackRateLimiter(primary, MemoryRateLimiter(), outage=outage)
    primary.down = True

    for _ in range(3):
        await _hit(limiter)
    monotonic.pass_cool_down()
    await _hit(limiter)

    assert primary.calls == 2
    warnings = _records(caplog, logging.WARNING)
    assert len(warnings) == 1
    assert "redis" in warnings[0].getMessage()
    assert all(KEY not in record.getMessage() for record in caplog.records)


async def test_the_primary_is_left_alone_during_the_cool_down(
    outage: OutageTracker, monotonic: ManualMonotonic
) -> None:
    primary = SwitchableRateLimiter()
    limiter = FallbackRateLimiter(primary, MemoryRateLimiter(), outage=outage)
    primary.down = True

    await _hit(limiter)
    await _hit(limiter)
    calls_during_cool_down = primary.calls
    monotonic.pass_cool_down()
    await _hit(limiter)

    assert calls_during_cool_down == 1
    assert primary.calls == 2


async def test_the_primary_decides_again_once_it_answers(
    outage: OutageTracker, monotonic: ManualMonotonic, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bastion.fallback")
    primary = SwitchableRateLimiter()
    limiter = FallbackRateLimiter(primary, MemoryRateLimiter(), outage=outage)
    primary.down = True
    for _ in range(3):
        await _hit(limiter)

    primary.down = False
    monotonic.pass_cool_down()
    decision = await _hit(limiter)

    assert decision.remaining == 4
    assert not limiter.degraded
    assert len(_records(caplog, logging.INFO)) == 1


@pytest.mark.redis
@pytest.mark.slow
async def test_a_rate_limiter_on_redis_keeps_deciding_through_an_outage(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bastion.fallback")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        async with redis_client(server.url) as client:
            outage = OutageTracker("redis", cool_down=timedelta(milliseconds=50))
            limiter = FallbackRateLimiter(RedisRateLimiter(client, "outage:"), MemoryRateLimiter(), outage=outage)
            before = await _hit(limiter)
            server.stop()
            during = [await _hit(limiter) for _ in range(3)]
            degraded_during = limiter.degraded
            server.start()
            await asyncio.sleep(0.1)  # past the cool-down, so the next decision probes Redis again
            after = await _hit(limiter)
            counted_in_redis = await client.zcard("outage:rl:" + KEY)
    finally:
        server.stop()

    assert before.remaining == 4
    assert [decision.remaining for decision in during] == [4, 3, 2]
    assert degraded_during
    assert after.remaining == 4
    assert not limiter.degraded
    assert counted_in_redis == 1
    assert len(_records(caplog, logging.WARNING)) == 1
    assert len(_records(caplog, logging.INFO)) == 1
