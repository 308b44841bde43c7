"""The fallback of the request rate limiter: while a shared store does not answer, decide in process.

(Login attempts for the lockout have no fallback: they are always counted in the database, so an
outage of Redis can neither reset nor split them.)

The wrappers compose any two implementations of a port (in production Redis first, memory
second); they know no adapter family. The rule of the design: never fail open silently, never lock
everyone out. During an outage every decision still comes from a real limiter (the fallback), the
outage is logged once, and the readiness report can show it through `degraded`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from application.errors import DependencyUnavailableError
from domain.ports.throttling import RateLimiter
from domain.throttling import RateDecision

logger = logging.getLogger("bastion.fallback")

DEFAULT_COOL_DOWN = timedelta(seconds=1)

T = TypeVar("T")


class OutageTracker:
    """The state of one dependency as seen by the wrappers around it: answering, or down since a failure.

    After a failure the primary is left alone for `cool_down` (every call goes straight to the
    fallback, so an unreachable server costs no connect timeout per request); then one call probes it
    again, and the others keep using the fallback until that probe has answered. One warning is logged
    when an outage starts and one info line when it ends. Several wrappers around the same server
    (the rate limiter and the attempt counter on one Redis) may share a tracker, so that the outage is
    logged and reported once. `monotonic` is the time source of the cool-down (seconds).
    """

    def __init__(
        self,
        name: str = "redis",
        *,
        cool_down: timedelta = DEFAULT_COOL_DOWN,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._cool_down_s = cool_down.total_seconds()
        self._monotonic = monotonic
        self._down = False
        self._failures = 0
        self._next_probe_at = 0.0

    @property
    def degraded(self) -> bool:
        """True from a failure of the primary until it answers again."""
        return self._down

    async def run(self, primary: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]) -> T:
        """The primary's answer when it may be tried and answers, else the fallback's."""
        if self._may_try_primary():
            failures_before = self._failures
            try:
                result = await primary()
            except DependencyUnavailableError:
                self._record_failure()
            else:
                # A call that was already under way when another one failed proves nothing about now.
                if self._failures == failures_before:
                    self._record_recovery()
                return result
        return await fallback()

    def _may_try_primary(self) -> bool:
        if not self._down:
            return True
        now = self._monotonic()
        if now < self._next_probe_at:
            return False
        # This caller probes; the others keep to the fallback for another cool-down instead of piling on.
        self._next_probe_at = now + self._cool_down_s
        return True

    def _record_failure(self) -> None:
        self._failures += 1
        self._next_probe_at = self._monotonic() + self._cool_down_s
        if not self._down:
            self._down = True
            logger.warning("%s is unavailable; throttling decisions are made in process until it answers", self.name)

    def _record_recovery(self) -> None:
        if self._down:
            self._down = False
            logger.info("%s answers again; throttling decisions are shared again", self.name)


class FallbackRateLimiter(RateLimiter):
    """`primary`'s decisions while it answers, `fallback`'s while it raises `DependencyUnavailableError`.

    Counts made during an outage stay in the fallback: after recovery the primary has not seen them.
    """

    def __init__(self, primary: RateLimiter, fallback: RateLimiter, *, outage: OutageTracker | None = None) -> None:
        self._primary, self._fallback = primary, fallback
        self.outage = outage or OutageTracker()

    @property
    def degraded(self) -> bool:
        """Whether decisions currently come from the fallback."""
        return self.outage.degraded

    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        return await self.outage.run(
            lambda: self._primary.hit(key, limit=limit, window=window, now=now),
            lambda: self._fallback.hit(key, limit=limit, window=window, now=now),
        )
