"""The throttling ports: request rate limits and the login lockout counter."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, timedelta
from typing import Protocol

from domain.throttling import AttemptDecision, RateDecision


class RateLimiter(Protocol):
    """Counts requests per key in a sliding window: at most `limit` requests pass in any interval of
    length `window`. Keys are opaque strings. Each decision is atomic: however many processes count
    against one key at once, no more requests pass than the limit allows.

    Implementations that depend on a server raise `DependencyUnavailableError` when it does not answer.
    """

    @abstractmethod
    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        """Count one request at `now`; a refused request is not counted (it uses up no allowance)."""


class LoginAttemptCounter(Protocol):
    """Counts login attempts per identifier key, for the lockout.

    An attempt is counted *before* the password is checked, atomically, so parallel guesses cannot
    slip past the limit: of any number of concurrent `begin` calls on one key, at most
    `max_failures` are allowed until a success resets the count or the lockout runs out.
    The count is forgotten `lockout` after the last counted attempt.

    Implementations that depend on a server raise `DependencyUnavailableError` when it does not answer.
    """

    @abstractmethod
    async def begin(self, key: str, *, max_failures: int, lockout: timedelta, now: datetime) -> AttemptDecision:
        """Count one attempt at `now`, unless `max_failures` attempts are already counted: then the key
        is locked and the decision says for how long (a refused attempt extends nothing)."""

    @abstractmethod
    async def release(self, key: str, *, now: datetime) -> None:
        """Take back one attempt that `begin` counted but whose password was never checked (the
        check could not run: a store or the hasher did not answer). Never below zero; an expired
        count is left alone."""

    @abstractmethod
    async def succeed(self, key: str) -> None:
        """Forget every attempt counted against `key` (a successful login, or an administrator's unlock)."""
