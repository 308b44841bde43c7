"""SimulatedOutage: the outages a memory adapter of a remote service can be told to have."""

from __future__ import annotations

from application.errors import DependencyUnavailableError


class SimulatedOutage:
    """While `down` is True every `check` fails, and `fail_next(n)` makes only the next `n` checks
    fail; a failed check raises `DependencyUnavailableError(dependency)`."""

    def __init__(self, dependency: str) -> None:
        self.down = False
        self._dependency = dependency
        self._failures_left = 0

    def fail_next(self, count: int = 1) -> None:
        """Make the next `count` checks fail, then behave as `down` says again."""
        if count < 0:
            raise ValueError("count must not be negative")
        self._failures_left = count

    def check(self) -> None:
        if self._failures_left > 0:
            self._failures_left -= 1
            raise DependencyUnavailableError(self._dependency)
        if self.down:
            raise DependencyUnavailableError(self._dependency)
