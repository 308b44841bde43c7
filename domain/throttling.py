"""Rate limits and lockout: the decisions the counters return and the policies that set their bounds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class RateDecision:
    """The outcome of counting one request against a rate limit.

    `remaining` is how many more requests the limit allows right now; `retry_after` (zero when
    allowed) is how long until the next request can pass; `reset_after` is how long until the
    window holds no counted request, so the full allowance is back.
    """

    allowed: bool
    limit: int
    remaining: int
    retry_after: timedelta
    reset_after: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptDecision:
    """The outcome of counting one login attempt against an identifier.

    `attempts` counts the attempts since the last success, this one included when `allowed`;
    when not allowed, `retry_after` says when the lockout ends.
    """

    allowed: bool
    attempts: int
    retry_after: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class LockoutPolicy:
    """After `max_failures` failed logins in a row an identifier is locked for `duration`; 0 switches it off.

    A device that logged in to an account holds a device token for `device_token_ttl`; its logins
    to that account are counted under the token, not the identifier (OWASP "device cookies"), so a
    stranger who locks the identifier does not lock out the owner's devices.
    """

    max_failures: int = 5
    duration: timedelta = timedelta(minutes=30)
    device_token_ttl: timedelta = timedelta(days=90)

    @property
    def enabled(self) -> bool:
        return self.max_failures > 0

    def locked_until(self, failures: int, now: datetime) -> datetime | None:
        """When an identifier with `failures` failed logins in a row at `now` is unlocked again, or
        None while it is under the limit."""
        return now + self.duration if failures >= self.max_failures else None


def login_identifier_key(identifier: str) -> str:
    """The key that failed logins are counted under: the normalised identifier, whether or not an
    account has it, so that a lockout tells nothing about which accounts exist.

    Emails and usernames are counted apart: tying them together would reveal that both belong to
    one account. Malformed identifiers are counted under their digest.
    """
    value = identifier.strip()
    if "@" in value:
        return "email:" + value.lower()
    if value.isascii() and value.isprintable() and len(value) <= 64:
        return "username:" + value.lower()
    return "other:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def device_attempt_key(token_hash: str) -> str:
    """The key that a device token's failed logins are counted under."""
    return "device:" + token_hash


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottlePolicy:
    """Per-client-IP request limits; a limit of 0 switches that limit off."""

    requests_per_minute: int = 60
    sensitive_per_minute: int = 5
    window: timedelta = timedelta(minutes=1)
