"""The Clock port: the time source of the core."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The time source of the core."""

    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
