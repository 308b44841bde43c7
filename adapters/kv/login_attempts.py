"""RedisLoginAttemptCounter: login attempts per key in a Redis hash, one Lua script per attempt."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import cast

import coredis

from adapters.kv.errors import translated_errors
from domain.ports.throttling import LoginAttemptCounter
from domain.throttling import AttemptDecision

# Slack on the keys' time to live, so that a caller whose clock runs a little behind Redis' never
# finds its count garbage-collected while it still holds.
EXPIRY_SLACK_MS = 1_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# KEYS[1]: the count. ARGV: now, max_failures, the new expiry, time to live in ms. Moments are whole
# microseconds since the epoch and travel as strings (Lua prints large numbers with 14 digits only).
# Returns {allowed (0/1), attempts, expiry of the count}.
_BEGIN = """
local stored = redis.call('HMGET', KEYS[1], 'attempts', 'expires_at')
local attempts = 0
if stored[1] and stored[2] and tonumber(stored[2]) > tonumber(ARGV[1]) then
  attempts = tonumber(stored[1])
end
if attempts >= tonumber(ARGV[2]) then
  return {0, attempts, stored[2]}
end
attempts = attempts + 1
redis.call('HSET', KEYS[1], 'attempts', attempts, 'expires_at', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, attempts, ARGV[3]}
"""


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _moment(micros: str) -> datetime:
    return _EPOCH + timedelta(microseconds=int(micros))


class RedisLoginAttemptCounter(LoginAttemptCounter):
    """Every process counts against the same hash in Redis; each `begin` is one Lua script, so the
    check against the limit and the increment happen atomically on the server.

    Key layout: `{prefix}la:{key}` is a hash `{attempts, expires_at}`, `expires_at` being the moment
    the count is forgotten in microseconds since the epoch, computed from the `now` argument (not
    Redis' clock, so a frozen test clock behaves as in memory). The key also expires `lockout` (plus a
    second of slack) after the last counted attempt, by Redis' clock, as garbage collection only.

    Any Redis failure raises `DependencyUnavailableError("redis")`.
    """

    def __init__(self, client: coredis.Redis[str], prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._begin = client.register_script(_BEGIN)

    async def begin(self, key: str, *, max_failures: int, lockout: timedelta, now: datetime) -> AttemptDecision:
        if max_failures < 1 or lockout <= timedelta(0):
            raise ValueError("a lockout needs at least one allowed attempt and a positive duration")
        ttl_ms = math.ceil(lockout / timedelta(milliseconds=1)) + EXPIRY_SLACK_MS
        with translated_errors():
            reply: object = await self._begin(
                keys=[self._key(key)], args=[str(_micros(now)), max_failures, str(_micros(now + lockout)), ttl_ms]
            )
        allowed, attempts, expires_at = cast(list[int | str], reply)
        if allowed:
            return AttemptDecision(allowed=True, attempts=int(attempts))
        retry_after = max(_moment(str(expires_at)) - now, timedelta(0))
        return AttemptDecision(allowed=False, attempts=int(attempts), retry_after=retry_after)

    async def succeed(self, key: str) -> None:
        with translated_errors():
            await self._client.delete([self._key(key)])

    def _key(self, key: str) -> str:
        return f"{self._prefix}la:{key}"
