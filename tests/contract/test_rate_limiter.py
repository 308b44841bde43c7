"""Contract of RateLimiter: a sliding window of `limit` requests per `window`, on memory and Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.kv.rate_limiter import RedisRateLimiter
from adapters.memory.rate_limiter import MemoryRateLimiter
from domain.ports.throttling import RateLimiter
from domain.throttling import RateDecision
from tests.builders import NOW
from tests.redis_servers import shared_redis
from tests.task_bound import entered_in_own_task

WINDOW = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    async with entered_in_own_task(shared_redis()) as (client, prefix):
        yield RedisRateLimiter(client, prefix)


async def _hit(limiter: RateLimiter, at: timedelta, *, key: str = "ip:192.0.2.1", limit: int = 3) -> RateDecision:
    return await limiter.hit(key, limit=limit, window=WINDOW, now=NOW + at)


async def test_requests_up_to_the_limit_pass_and_the_next_is_refused(limiter: RateLimiter) -> None:
    decisions = [await _hit(limiter, timedelta(0)) for _ in range(4)]

    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    assert {decision.limit for decision in decisions} == {3}


async def test_remaining_counts_down_to_zero(limiter: RateLimiter) -> None:
    decisions = [await _hit(limiter, timedelta(0)) for _ in range(4)]

    assert [decision.remaining for decision in decisions] == [2, 1, 0, 0]


async def test_a_refused_request_is_not_counted(limiter: RateLimiter) -> None:
    await _hit(limiter, timedelta(0), limit=2)
    await _hit(limiter, timedelta(0), limit=2)
    refused = [await _hit(limiter, 10 * SECOND, limit=2) for _ in range(5)]

    later = await _hit(limiter, WINDOW, limit=2)

    assert not any(decision.allowed for decision in refused)
    assert later.allowed
    assert later.remaining == 1


async def test_the_window_slides_with_each_counted_request(limiter: RateLimiter) -> None:
    outcomes = [
        (await _hit(limiter, at, limit=2)).allowed
        for at in (timedelta(0), 30 * SECOND, WINDOW - timedelta(microseconds=1), WINDOW, WINDOW + SECOND, 90 * SECOND)
    ]

    assert outcomes == [True, True, False, True, False, True]


async def test_retry_after_is_the_time_until_the_oldest_counted_request_leaves_the_window(
    limiter: RateLimiter,
) -> None:
    for at in (timedelta(0), 10 * SECOND, 20 * SECOND):
        assert (await _hit(limiter, at)).retry_after == timedelta(0)

    refused_at = timedelta(seconds=25, microseconds=250)
    refused = await _hit(limiter, refused_at)
    just_before = await _hit(limiter, refused_at + refused.retry_after - timedelta(microseconds=1))
    on_time = await _hit(limiter, refused_at + refused.retry_after)

    assert refused.retry_after == timedelta(seconds=34, microseconds=999_750)
    assert not just_before.allowed
    assert on_time.allowed


async def test_reset_after_is_the_time_until_the_window_holds_no_counted_request(limiter: RateLimiter) -> None:
    first = await _hit(limiter, timedelta(0), limit=2)
    second = await _hit(limiter, 10 * SECOND, limit=2)
    refused = await _hit(limiter, 20 * SECOND, limit=2)

    assert first.reset_after == WINDOW
    assert second.reset_after == WINDOW
    assert not refused.allowed
    assert refused.reset_after == 50 * SECOND


async def test_keys_are_counted_apart(limiter: RateLimiter) -> None:
    for _ in range(3):
        await _hit(limiter, timedelta(0), key="ip:192.0.2.1")

    other = await _hit(limiter, timedelta(0), key="ip:192.0.2.2")

    assert other.allowed
    assert other.remaining == 2


async def test_concurrent_requests_on_one_key_let_exactly_the_limit_through(limiter: RateLimiter) -> None:
    decisions = await asyncio.gather(*(limiter.hit("ip:192.0.2.1", limit=7, window=WINDOW, now=NOW) for _ in range(50)))

    assert sum(decision.allowed for decision in decisions) == 7
    assert sorted(decision.remaining for decision in decisions if decision.allowed) == list(range(7))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gaps_ms=st.lists(st.integers(min_value=0, max_value=1_500), min_size=1, max_size=40),
    limit=st.integers(min_value=1, max_value=5),
    window_ms=st.integers(min_value=1, max_value=3_000),
)
async def test_no_window_ever_holds_more_than_the_limit_and_nothing_more_is_refused(
    limiter: RateLimiter, gaps_ms: list[int], limit: int, window_ms: int
) -> None:
    key = f"property:{uuid.uuid4()}"
    window = timedelta(milliseconds=window_ms)
    moments = [NOW + timedelta(milliseconds=sum(gaps_ms[: index + 1])) for index in range(len(gaps_ms))]

    allowed: list[datetime] = []
    for now in moments:
        decision = await limiter.hit(key, limit=limit, window=window, now=now)
        in_window = sum(1 for earlier in allowed if earlier > now - window)
        # Refused exactly when the window ending now already holds `limit` counted requests.
        assert decision.allowed == (in_window < limit)
        if decision.allowed:
            allowed.append(now)

    for start in allowed:
        assert sum(1 for moment in allowed if start <= moment < start + window) <= limit
