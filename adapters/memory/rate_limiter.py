"""MemoryRateLimiter: a sliding-window log per key, in this process only."""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.ports.throttling import RateLimiter
from domain.throttling import RateDecision

DEFAULT_MAX_KEYS = 100_000
# Keys looked at for expiry on every hit: enough to keep up with the rate at which keys go idle.
_SWEEP_PER_HIT = 2


@dataclass(slots=True)
class _Log:
    window: timedelta
    moments: list[datetime] = field(default_factory=list)


class MemoryRateLimiter(RateLimiter):
    """The moments of the counted requests of every key, kept sorted, driven only by the `now` it is given.

    Decisions are atomic within one event loop (nothing is awaited while deciding), but the counts
    are per process: it is the limiter of tests, local development and the fallback while Redis does
    not answer. Memory stays bounded: keys are kept in least-recently-hit order, the idle ones at the
    front are dropped as hits come in, and beyond `max_keys` the least recently hit key is forgotten
    (which can only let that key through earlier, never lock anyone out).
    """

    def __init__(self, *, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self._max_keys = max_keys
        self._logs: dict[str, _Log] = {}

    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        if limit < 1 or window <= timedelta(0):
            raise ValueError("a rate limit needs a limit of at least 1 and a positive window")
        log = self._logs.pop(key, None) or _Log(window)
        self._logs[key] = log  # re-inserted at the end: the dict stays in least-recently-hit order
        log.window = window
        moments = log.moments
        del moments[: bisect_right(moments, now - window)]
        allowed = len(moments) < limit
        if allowed:
            # A sorted insertion keeps the log right even when the clock steps backwards.
            insort(moments, now)
            retry_after = timedelta(0)
        else:
            # The request whose expiry brings the count below the limit (the oldest, unless the
            # limit was lowered since the others were counted).
            retry_after = moments[len(moments) - limit] + window - now
        decision = RateDecision(
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - len(moments)),
            retry_after=max(retry_after, timedelta(0)),
            reset_after=max(moments[-1] + window - now, timedelta(0)),
        )
        self._sweep(now)
        return decision

    def _sweep(self, now: datetime) -> None:
        for _ in range(_SWEEP_PER_HIT):
            oldest_key = next(iter(self._logs), None)
            if oldest_key is None:
                return
            log = self._logs[oldest_key]
            if log.moments and log.moments[-1] > now - log.window:
                break
            del self._logs[oldest_key]
        while len(self._logs) > self._max_keys:
            del self._logs[next(iter(self._logs))]
