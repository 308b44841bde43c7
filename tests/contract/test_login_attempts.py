"""Contract of LoginAttemptCounter, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.memory.login_attempts import MemoryLoginAttemptCounter
from adapters.sql.login_attempts import SqlLoginAttemptCounter
from domain.ports.throttling import LoginAttemptCounter
from domain.throttling import AttemptDecision
from tests.backends import SQL_BACKENDS, migrated_database
from tests.builders import NOW

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MINUTE = timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)
KEY = "email:ada@example.org"


@pytest.fixture(params=["memory", *SQL_BACKENDS])
async def counter(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[LoginAttemptCounter]:
    if request.param == "memory":
        yield MemoryLoginAttemptCounter()
    else:
        async with migrated_database(request.param, tmp_path) as database:
            pool = database.open()
            try:
                yield SqlLoginAttemptCounter(pool)
            finally:
                await pool.close()


async def _begin(counter: LoginAttemptCounter, at: timedelta = timedelta(0), *, key: str = KEY) -> AttemptDecision:
    return await counter.begin(key, max_failures=MAX_FAILURES, lockout=LOCKOUT, now=NOW + at)


async def _use_up(counter: LoginAttemptCounter, at: timedelta = timedelta(0), *, key: str = KEY) -> None:
    for _ in range(MAX_FAILURES):
        assert (await _begin(counter, at, key=key)).allowed


async def test_attempts_up_to_the_limit_are_allowed_and_counted(counter: LoginAttemptCounter) -> None:
    decisions = [await _begin(counter) for _ in range(MAX_FAILURES)]

    assert [decision.allowed for decision in decisions] == [True] * MAX_FAILURES
    assert [decision.attempts for decision in decisions] == [1, 2, 3, 4, 5]
    assert {decision.retry_after for decision in decisions} == {timedelta(0)}


async def test_the_attempt_after_the_limit_is_refused_until_the_lockout_ends(counter: LoginAttemptCounter) -> None:
    await _use_up(counter)

    refused = await _begin(counter, 5 * MINUTE)

    assert refused == AttemptDecision(allowed=False, attempts=MAX_FAILURES, retry_after=10 * MINUTE)


async def test_a_success_forgets_every_counted_attempt(counter: LoginAttemptCounter) -> None:
    for _ in range(3):
        await _begin(counter)

    await counter.succeed(KEY)

    assert await _begin(counter) == AttemptDecision(allowed=True, attempts=1)


async def test_a_success_unlocks_a_locked_key(counter: LoginAttemptCounter) -> None:
    await _use_up(counter)

    await counter.succeed(KEY)

    assert (await _begin(counter, MINUTE)).allowed


async def test_a_success_on_a_key_without_attempts_changes_nothing(counter: LoginAttemptCounter) -> None:
    await counter.succeed(KEY)

    assert await _begin(counter) == AttemptDecision(allowed=True, attempts=1)


async def test_a_released_attempt_is_no_longer_counted(counter: LoginAttemptCounter) -> None:
    await _begin(counter)
    await _begin(counter)

    await counter.release(KEY, now=NOW)

    assert await _begin(counter) == AttemptDecision(allowed=True, attempts=2)


async def test_releasing_unlocks_a_key_that_the_released_attempt_locked(counter: LoginAttemptCounter) -> None:
    await _use_up(counter)

    await counter.release(KEY, now=NOW)

    assert (await _begin(counter)).allowed
    assert not (await _begin(counter)).allowed


async def test_release_never_goes_below_zero_nor_revives_an_expired_count(counter: LoginAttemptCounter) -> None:
    await counter.release(KEY, now=NOW)
    await _begin(counter)
    await counter.release(KEY, now=NOW)
    await counter.release(KEY, now=NOW)
    await counter.release("email:nobody@example.org", now=NOW)
    assert await _begin(counter) == AttemptDecision(allowed=True, attempts=1)

    await counter.release(KEY, now=NOW + LOCKOUT)

    assert await _begin(counter, LOCKOUT) == AttemptDecision(allowed=True, attempts=1)


async def test_the_lockout_ends_lockout_after_the_last_counted_attempt(counter: LoginAttemptCounter) -> None:
    for minute in range(MAX_FAILURES):
        await _begin(counter, minute * MINUTE)
    last_counted = (MAX_FAILURES - 1) * MINUTE

    just_before = await _begin(counter, last_counted + LOCKOUT - MICROSECOND)
    on_time = await _begin(counter, last_counted + LOCKOUT)

    assert just_before == AttemptDecision(allowed=False, attempts=MAX_FAILURES, retry_after=MICROSECOND)
    assert on_time == AttemptDecision(allowed=True, attempts=1)


async def test_the_count_below_the_limit_is_forgotten_lockout_after_the_last_attempt(
    counter: LoginAttemptCounter,
) -> None:
    await _begin(counter)
    await _begin(counter, MINUTE)

    still_counted = await _begin(counter, MINUTE + LOCKOUT - MICROSECOND)
    forgotten = await _begin(counter, MINUTE + LOCKOUT - MICROSECOND + LOCKOUT)

    assert still_counted.attempts == 3
    assert forgotten.attempts == 1


async def test_a_refused_attempt_extends_nothing(counter: LoginAttemptCounter) -> None:
    await _use_up(counter)
    for minute in (1, 5, 14):
        assert not (await _begin(counter, minute * MINUTE)).allowed

    assert await _begin(counter, LOCKOUT) == AttemptDecision(allowed=True, attempts=1)


async def test_keys_are_counted_apart(counter: LoginAttemptCounter) -> None:
    await _use_up(counter)

    other = await _begin(counter, key="username:ada")
    await counter.succeed("username:ada")

    assert other == AttemptDecision(allowed=True, attempts=1)
    assert not (await _begin(counter)).allowed


async def test_long_keys_are_counted_apart(counter: LoginAttemptCounter) -> None:
    long_key = "email:" + "a" * 1_000 + "@example.org"
    await _use_up(counter, key=long_key)

    other = await _begin(counter, key=long_key.replace("example", "elpmaxe"))

    assert other == AttemptDecision(allowed=True, attempts=1)
    assert not (await _begin(counter, key=long_key)).allowed


async def test_concurrent_attempts_on_one_key_allow_exactly_max_failures(counter: LoginAttemptCounter) -> None:
    decisions = await asyncio.gather(*(_begin(counter) for _ in range(25)))

    allowed = [decision for decision in decisions if decision.allowed]
    refused = [decision for decision in decisions if not decision.allowed]
    assert sorted(decision.attempts for decision in allowed) == [1, 2, 3, 4, 5]
    assert len(refused) == 20
    assert {(decision.attempts, decision.retry_after) for decision in refused} == {(MAX_FAILURES, LOCKOUT)}
