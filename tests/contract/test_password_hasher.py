"""Contract of the PasswordHasher port, over the pwdlib adapter and the memory fake."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import argon2
import bcrypt
import pytest

from adapters.crypto.pwdlib_hasher import PwdlibPasswordHasher
from adapters.memory.hasher import MemoryPasswordHasher
from application.errors import DependencyUnavailableError
from domain.passwords import PasswordCheck
from domain.ports.password_hasher import PasswordHasher

PASSWORD = "correct horse battery staple"
# Small argon2 parameters: the behaviour under test does not depend on them, the speed does.
FAST_ARGON2 = {"memory_cost": 1024, "time_cost": 1, "parallelism": 1}
GATE_TIMEOUT_S = 10


@dataclass(frozen=True)
class HasherUnderTest:
    hasher: PasswordHasher
    outdated_hashes: Callable[[str], list[str]]
    """Hashes of a password as an older scheme or older parameters stored them."""


def _pwdlib_outdated_hashes(password: str) -> list[str]:
    legacy_bcrypt = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    weaker_argon2 = argon2.PasswordHasher(time_cost=1, memory_cost=256, parallelism=1).hash(password)
    return [legacy_bcrypt, weaker_argon2]


def _memory_outdated_hashes(password: str) -> list[str]:
    return [MemoryPasswordHasher.outdated_hash(password)]


@pytest.fixture(params=["pwdlib", "memory"])
def subject(request: pytest.FixtureRequest) -> Iterator[HasherUnderTest]:
    if request.param == "pwdlib":
        hasher = PwdlibPasswordHasher(**FAST_ARGON2, threads=2, max_pending=8)
        yield HasherUnderTest(hasher, _pwdlib_outdated_hashes)
        hasher.close()
    else:
        yield HasherUnderTest(MemoryPasswordHasher(), _memory_outdated_hashes)


@pytest.fixture
def pwdlib_hasher() -> Iterator[PwdlibPasswordHasher]:
    hasher = PwdlibPasswordHasher(**FAST_ARGON2, threads=1, max_pending=8)
    yield hasher
    hasher.close()


class GatedPassword(str):
    """A password whose encoding, which happens inside the hashing job, waits for `gate`.

    It holds a worker thread until the test opens the gate, without reaching into the adapter.
    """

    gate: threading.Event
    started: threading.Event
    released: bool

    def __new__(cls, value: str) -> GatedPassword:
        password = super().__new__(cls, value)
        password.gate = threading.Event()
        password.started = threading.Event()
        password.released = False
        return password

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        self.started.set()
        self.released = self.gate.wait(GATE_TIMEOUT_S)
        return str(self).encode(encoding, errors)


async def _wait_until_started(password: GatedPassword) -> None:
    assert await asyncio.to_thread(password.started.wait, GATE_TIMEOUT_S)


async def _eventually_accepted(hasher: PasswordHasher, attempts: int = 500) -> bool:
    for _ in range(attempts):
        try:
            await hasher.hash(PASSWORD)
        except DependencyUnavailableError:
            await asyncio.sleep(0.01)
        else:
            return True
    return False


# The port contract, over every implementation.


async def test_a_hash_verifies_with_its_password(subject: HasherUnderTest) -> None:
    password_hash = await subject.hasher.hash(PASSWORD)

    assert await subject.hasher.verify(PASSWORD, password_hash) == PasswordCheck(ok=True, upgraded_hash=None)


async def test_a_hash_never_contains_the_password(subject: HasherUnderTest) -> None:
    assert PASSWORD not in await subject.hasher.hash(PASSWORD)


async def test_a_wrong_password_fails_the_check(subject: HasherUnderTest) -> None:
    password_hash = await subject.hasher.hash(PASSWORD)

    assert await subject.hasher.verify(PASSWORD + "!", password_hash) == PasswordCheck(ok=False)


@pytest.mark.parametrize(
    "password_hash",
    [
        "",
        "not a hash",
        "$memory$",
        "$argon2id$v=19$m=1024,t=1,p=1$bm90IGEgc2FsdA",
        "$argon2id$v=19$m=1024,t=1,p=1$é$é",
        "$2b$04$" + "a" * 53,
        "$2b$04$abc",
        "$unknown$v=1$abc",
    ],
    ids=["empty", "text", "memory-prefix-only", "argon2-without-digest", "argon2-non-ascii", "bcrypt-bad-salt",
         "bcrypt-short", "unknown-scheme"],
)  # fmt: skip
async def test_an_unknown_or_malformed_hash_is_a_failed_check(subject: HasherUnderTest, password_hash: str) -> None:
    assert await subject.hasher.verify(PASSWORD, password_hash) == PasswordCheck(ok=False)


async def test_an_outdated_hash_verifies_and_comes_back_upgraded(subject: HasherUnderTest) -> None:
    for outdated_hash in subject.outdated_hashes(PASSWORD):
        check = await subject.hasher.verify(PASSWORD, outdated_hash)

        assert check.ok
        assert check.upgraded_hash is not None
        assert check.upgraded_hash != outdated_hash
        assert await subject.hasher.verify(PASSWORD, check.upgraded_hash) == PasswordCheck(ok=True)


async def test_an_outdated_hash_with_a_wrong_password_fails_without_upgrade(subject: HasherUnderTest) -> None:
    for outdated_hash in subject.outdated_hashes(PASSWORD):
        assert await subject.hasher.verify("wrong", outdated_hash) == PasswordCheck(ok=False)


async def test_verify_dummy_completes_without_an_error(subject: HasherUnderTest) -> None:
    for password in (PASSWORD, "", "ünïcødé " * 20):
        await subject.hasher.verify_dummy(password)


# PwdlibPasswordHasher only: parameters, salting, off-loop work and the bound on pending work.


@pytest.mark.slow
async def test_default_parameters_are_the_owasp_argon2id_minimum() -> None:
    hasher = PwdlibPasswordHasher()
    try:
        password_hash = await hasher.hash(PASSWORD)
        assert password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert (await hasher.verify(PASSWORD, password_hash)).ok
    finally:
        hasher.close()


async def test_hashes_of_one_password_are_salted(pwdlib_hasher: PwdlibPasswordHasher) -> None:
    first = await pwdlib_hasher.hash(PASSWORD)
    second = await pwdlib_hasher.hash(PASSWORD)

    assert first != second
    assert (await pwdlib_hasher.verify(PASSWORD, first)).ok
    assert (await pwdlib_hasher.verify(PASSWORD, second)).ok


async def test_hashes_with_other_argon2_parameters_are_upgraded_to_the_current_ones() -> None:
    weaker = PwdlibPasswordHasher(memory_cost=512, time_cost=1, threads=1)
    current = PwdlibPasswordHasher(**FAST_ARGON2, threads=1)
    try:
        check = await current.verify(PASSWORD, await weaker.hash(PASSWORD))
        assert check.ok
        assert check.upgraded_hash is not None
        assert check.upgraded_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    finally:
        weaker.close()
        current.close()


async def test_a_legacy_bcrypt_hash_of_a_long_password_still_verifies(pwdlib_hasher: PwdlibPasswordHasher) -> None:
    long_password = "a long passphrase " * 6
    # Earlier bcrypt libraries hashed only the first 72 bytes and ignored the rest.
    legacy_hash = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()

    check = await pwdlib_hasher.verify(long_password, legacy_hash)

    assert check.ok
    assert check.upgraded_hash is not None
    assert check.upgraded_hash.startswith("$argon2id$")
    assert (await pwdlib_hasher.verify(long_password, check.upgraded_hash)).ok
    assert not (await pwdlib_hasher.verify(long_password[:72], check.upgraded_hash)).ok


async def test_an_unusable_hash_is_logged_without_the_hash_or_password(
    pwdlib_hasher: PwdlibPasswordHasher, caplog: pytest.LogCaptureFixture
) -> None:
    unusable_hash = "$2b$04$" + "z" * 53
    with caplog.at_level(logging.WARNING, logger="adapters.crypto.pwdlib_hasher"):
        assert not (await pwdlib_hasher.verify(PASSWORD, unusable_hash)).ok

    assert caplog.records
    assert all(PASSWORD not in record.getMessage() for record in caplog.records)
    assert all(unusable_hash not in record.getMessage() for record in caplog.records)


async def test_verify_dummy_costs_a_real_check_every_time(pwdlib_hasher: PwdlibPasswordHasher) -> None:
    password = GatedPassword(PASSWORD)
    dummy = asyncio.create_task(pwdlib_hasher.verify_dummy(password))

    await _wait_until_started(password)
    password.gate.set()
    await dummy

    again = GatedPassword(PASSWORD)
    again.gate.set()
    await pwdlib_hasher.verify_dummy(again)
    assert again.started.is_set()


async def test_hashing_does_not_block_the_event_loop(pwdlib_hasher: PwdlibPasswordHasher) -> None:
    password = GatedPassword(PASSWORD)
    ticks = 0

    async def tick_then_open_the_gate() -> None:
        nonlocal ticks
        for _ in range(5):
            await asyncio.sleep(0)
            ticks += 1
        password.gate.set()

    hashing = asyncio.create_task(pwdlib_hasher.hash(password))
    await asyncio.gather(hashing, tick_then_open_the_gate())

    # Had the hash run on the loop, the gate would have timed out before the ticker could run.
    assert password.released
    assert ticks == 5
    assert (await pwdlib_hasher.verify(PASSWORD, hashing.result())).ok


async def test_work_beyond_max_pending_is_refused_at_once() -> None:
    hasher = PwdlibPasswordHasher(**FAST_ARGON2, threads=1, max_pending=2)
    running = GatedPassword(PASSWORD)
    try:
        first = asyncio.create_task(hasher.hash(running))
        await _wait_until_started(running)
        queued = asyncio.create_task(hasher.hash(PASSWORD))
        await asyncio.sleep(0)

        with pytest.raises(DependencyUnavailableError):
            await hasher.verify(PASSWORD, "$memory$")
        with pytest.raises(DependencyUnavailableError):
            await hasher.verify_dummy(PASSWORD)

        running.gate.set()
        await asyncio.gather(first, queued)
        # The slots are free again once the jobs are done.
        assert (await hasher.verify(PASSWORD, queued.result())).ok
    finally:
        running.gate.set()
        hasher.close()


async def test_the_queue_depth_is_reported_as_jobs_are_queued_and_done() -> None:
    depths: list[int] = []
    hasher = PwdlibPasswordHasher(**FAST_ARGON2, threads=1, max_pending=4, on_depth_change=depths.append)
    running = GatedPassword(PASSWORD)
    try:
        first = asyncio.create_task(hasher.hash(running))
        await _wait_until_started(running)
        queued = asyncio.create_task(hasher.hash(PASSWORD))
        await asyncio.sleep(0)
        assert depths == [1, 2]

        running.gate.set()
        await asyncio.gather(first, queued)
        assert depths == [1, 2, 1, 0]
    finally:
        running.gate.set()
        hasher.close()


async def test_a_cancelled_caller_keeps_its_slot_until_the_thread_is_done() -> None:
    hasher = PwdlibPasswordHasher(**FAST_ARGON2, threads=1, max_pending=1)
    running = GatedPassword(PASSWORD)
    try:
        abandoned = asyncio.create_task(hasher.hash(running))
        await _wait_until_started(running)
        abandoned.cancel()
        with pytest.raises(asyncio.CancelledError):
            await abandoned

        with pytest.raises(DependencyUnavailableError):
            await hasher.hash(PASSWORD)

        running.gate.set()
        assert await _eventually_accepted(hasher)
    finally:
        running.gate.set()
        hasher.close()


async def test_close_refuses_queued_and_later_work() -> None:
    hasher = PwdlibPasswordHasher(**FAST_ARGON2, threads=1, max_pending=4)
    running = GatedPassword(PASSWORD)
    try:
        first = asyncio.create_task(hasher.hash(running))
        await _wait_until_started(running)
        queued = asyncio.create_task(hasher.hash(PASSWORD))
        await asyncio.sleep(0)

        closing = asyncio.create_task(asyncio.to_thread(hasher.close))
        with pytest.raises(DependencyUnavailableError):
            await queued
        running.gate.set()
        await closing

        password_hash = await first  # the running job was let finish
        assert password_hash.startswith("$argon2id$")
        with pytest.raises(DependencyUnavailableError):
            await hasher.verify(PASSWORD, password_hash)
    finally:
        running.gate.set()
        hasher.close()
