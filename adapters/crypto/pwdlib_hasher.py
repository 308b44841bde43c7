"""PwdlibPasswordHasher: argon2id through pwdlib, off the event loop, with bounded concurrency."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import argon2.exceptions
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from adapters.lifecycle import Lifecycle
from application.errors import DependencyUnavailableError
from domain.passwords import PasswordCheck
from domain.ports.password_hasher import PasswordHasher

_logger = logging.getLogger(__name__)

_T = TypeVar("_T")

# OWASP Password Storage Cheat Sheet, argon2id minimum: 19 MiB, 2 iterations, 1 lane.
OWASP_MEMORY_COST_KIB = 19456
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1

_BCRYPT_MAX_PASSWORD_BYTES = 72
# Errors of an unusable stored hash (or of a password that cannot be encoded): a failed check.
_UNCHECKABLE = (UnknownHashError, ValueError, argon2.exceptions.Argon2Error)


class _LegacyBcryptHasher(BcryptHasher):
    """Verifies imported bcrypt hashes, which were made from the first 72 bytes of the password.

    bcrypt 5 raises for longer passwords instead of ignoring the rest, which would lock out every
    legacy user with a long password; the upgraded argon2id hash then covers the whole password.
    """

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:  # noqa: A002 (pwdlib's name)
        secret = password.encode() if isinstance(password, str) else password
        return super().verify(secret[:_BCRYPT_MAX_PASSWORD_BYTES], hash)


class PwdlibPasswordHasher(PasswordHasher, Lifecycle):
    """Argon2id hashing through pwdlib, with bcrypt accepted for verification of legacy hashes.

    - New hashes are argon2id with the given parameters (default: the OWASP minimum, m=19456 KiB,
      t=2, p=1). A successful check against a bcrypt hash, or an argon2 hash with other parameters,
      returns an upgraded hash.
    - All hashing runs in a dedicated pool of `threads` worker threads, never on the event loop
      (argon2-cffi and bcrypt release the GIL, so the threads use separate cores).
    - At most `max_pending` jobs are queued or running at once; beyond that a call raises
      `DependencyUnavailableError` at once, so a login flood costs bounded latency instead of an
      ever-growing queue. Memory is bounded by `threads`: argon2 holds `memory_cost` KiB per
      running job only, and a queued job holds nothing but its arguments. (The C allocator keeps
      each thread's buffer for the next job: returning it would cost page faults on every check.)
      A job keeps its slot until its thread is done with it, even if the caller was cancelled.
    - `verify_dummy` checks against an argon2id hash of a random secret, made once on first use.
    - Its threads exist from construction; `stop()` (or `close()`) ends them at shutdown, and later
      calls raise `DependencyUnavailableError`.
    - `on_depth_change`, when given, is told the number of jobs queued or running each time it
      changes (from the event loop or a hashing thread): the `bastion_hash_queue_depth` gauge.
    """

    def __init__(
        self,
        *,
        memory_cost: int = OWASP_MEMORY_COST_KIB,
        time_cost: int = OWASP_TIME_COST,
        parallelism: int = OWASP_PARALLELISM,
        threads: int = 2,
        max_pending: int = 64,
        on_depth_change: Callable[[int], None] | None = None,
    ) -> None:
        if threads < 1 or max_pending < 1:
            raise ValueError("threads and max_pending must be at least 1")
        argon2id = Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
        self._password_hash = PasswordHash((argon2id, _LegacyBcryptHasher()))
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="password-hashing")
        self._slots = threading.BoundedSemaphore(max_pending)
        self._on_depth_change, self._depth, self._depth_lock = on_depth_change, 0, threading.Lock()
        self._dummy_hash: str | None = None
        self._dummy_lock = threading.Lock()

    async def hash(self, password: str) -> str:
        return await self._run(partial(self._password_hash.hash, password))

    async def verify(self, password: str, password_hash: str) -> PasswordCheck:
        try:
            ok, upgraded_hash = await self._run(partial(self._password_hash.verify_and_update, password, password_hash))
        except _UNCHECKABLE as error:
            # Only the error type: its message or attributes may carry the hash.
            _logger.warning("Password check failed on an unusable hash or password (%s)", type(error).__name__)
            return PasswordCheck(ok=False)
        return PasswordCheck(ok=ok, upgraded_hash=upgraded_hash)

    async def verify_dummy(self, password: str) -> None:
        try:
            await self._run(partial(self._verify_against_dummy, password))
        except _UNCHECKABLE:
            # The same outcome as `verify` for a real account: a failed check.
            return

    async def start(self) -> None:
        """Nothing to acquire: the pool starts its threads on first use."""

    async def stop(self) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker threads: queued jobs are cancelled, running ones are waited for."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _free_slot(self) -> None:
        self._slots.release()
        self._count_job(-1)

    def _count_job(self, change: int) -> None:
        if self._on_depth_change is not None:
            with self._depth_lock:
                self._depth += change
                self._on_depth_change(self._depth)

    def _verify_against_dummy(self, password: str) -> None:
        with self._dummy_lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._password_hash.hash(secrets.token_urlsafe(32))
            dummy_hash = self._dummy_hash
        self._password_hash.verify(password, dummy_hash)

    async def _run(self, job: Callable[[], _T]) -> _T:
        # Submitted to the pool directly rather than through `loop.run_in_executor`: the slot is
        # released by the concurrent future itself, i.e. only when the thread is done with the job
        # (or the job was cancelled before it started), not when an awaiting caller gives up.
        if not self._slots.acquire(blocking=False):
            raise DependencyUnavailableError("password hashing")
        self._count_job(1)
        try:
            future = self._executor.submit(job)
        except RuntimeError as error:  # the pool has been shut down
            self._free_slot()
            raise DependencyUnavailableError("password hashing") from error
        future.add_done_callback(lambda _: self._free_slot())
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if future.cancelled() and task is not None and not task.cancelling():
                # Cancelled by `close()` while queued, not by our caller: the service is stopping.
                raise DependencyUnavailableError("password hashing") from None
            raise
