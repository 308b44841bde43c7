"""SystemClock: the real time."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.ports.clock import Clock


class SystemClock(Clock):
    """The system's wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
