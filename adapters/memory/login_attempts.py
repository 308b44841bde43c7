"""MemoryLoginAttemptCounter: login attempts per key, in this process only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.ports.throttling import LoginAttemptCounter
from domain.throttling import AttemptDecision

DEFAULT_MAX_KEYS = 100_000
# Entries looked at for expiry on every call: enough to keep up with the rate at which keys go idle.
_SWEEP_PER_CALL = 2


@dataclass(frozen=True, slots=True)
class _Count:
    attempts: int
    expires_at: datetime


class MemoryLoginAttemptCounter(LoginAttemptCounter):
    """A dict of key -> (attempts, expiry), driven only by the `now` it is given.

    Atomic within one event loop (nothing is awaited while deciding), but per process: it serves
    tests, local development and the fallback while Redis does not answer. Entries are kept in the
    order they were last counted, so expired ones are dropped from the front as calls come in; beyond
    `max_keys` the entry counted longest ago is forgotten.
    """

    def __init__(self, *, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self._max_keys = max_keys
        self._counts: dict[str, _Count] = {}

    async def begin(self, key: str, *, max_failures: int, lockout: timedelta, now: datetime) -> AttemptDecision:
        if max_failures < 1 or lockout <= timedelta(0):
            raise ValueError("a lockout needs at least one allowed attempt and a positive duration")
        current = self._counts.get(key)
        attempts = current.attempts if current is not None and now < current.expires_at else 0
        if current is not None and attempts >= max_failures:
            return AttemptDecision(allowed=False, attempts=attempts, retry_after=current.expires_at - now)
        attempts += 1
        self._counts.pop(key, None)
        self._counts[key] = _Count(attempts, now + lockout)
        self._sweep(now)
        return AttemptDecision(allowed=True, attempts=attempts)

    async def release(self, key: str, *, now: datetime) -> None:
        current = self._counts.get(key)
        if current is not None and now < current.expires_at and current.attempts > 0:
            self._counts[key] = _Count(current.attempts - 1, current.expires_at)

    async def succeed(self, key: str) -> None:
        self._counts.pop(key, None)

    def _sweep(self, now: datetime) -> None:
        for _ in range(_SWEEP_PER_CALL):
            oldest_key = next(iter(self._counts), None)
            if oldest_key is None or now < self._counts[oldest_key].expires_at:
                break
            del self._counts[oldest_key]
        while len(self._counts) > self._max_keys:
            del self._counts[next(iter(self._counts))]
