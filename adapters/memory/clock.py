"""FrozenClock: a clock that moves only when told to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.ports.clock import Clock


class FrozenClock(Clock):
    """A clock for tests: it stands still until `advance` or `set` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment
