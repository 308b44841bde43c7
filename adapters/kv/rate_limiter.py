"""RedisRateLimiter: a sliding-window log per key in a Redis sorted set, one Lua script per decision."""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime, timedelta
from typing import cast

import coredis

from adapters.kv.errors import translated_errors
from domain.ports.throttling import RateLimiter
from domain.throttling import RateDecision

# Slack on the keys' time to live, so that a caller whose clock runs a little behind Redis' never
# finds its log garbage-collected while it still counts.
EXPIRY_SLACK_MS = 1_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# KEYS[1]: the log. ARGV: now, cutoff (now - window), limit, a fresh member, time to live in ms.
# Moments are whole microseconds since the epoch and travel as strings: Lua would print numbers this
# large with 14 significant digits only, and sorted-set scores (doubles) hold them exactly.
# Returns {allowed (0/1), requests in the log, score of the request blocking the next one (refused
# only, else ""), score of the newest request}.
_HIT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[3])
if count < limit then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
  return {1, count + 1, '', newest}
end
local blocking = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')[2]
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
return {0, count, blocking, newest}
"""


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _moment(score: str) -> datetime:
    return _EPOCH + timedelta(microseconds=int(float(score)))


class RedisRateLimiter(RateLimiter):
    """Every process counts against the same log in Redis; each decision is one Lua script, so
    pruning, counting and recording happen atomically on the server and no check-then-set race exists.

    Key layout: `{prefix}rl:{key}` is a sorted set with one member per counted request (a random
    token), scored by the request's moment in microseconds since the epoch (the `now` argument, not
    Redis' clock, so a frozen test clock behaves as in memory). Requests at or before `now - window`
    are removed on every decision; the key expires `window` (plus a second of slack) after the last
    counted request, by Redis' clock, as garbage collection only.

    Any Redis failure raises `DependencyUnavailableError("redis")`.
    """

    def __init__(self, client: coredis.Redis[str], prefix: str) -> None:
        self._prefix = prefix
        self._hit = client.register_script(_HIT)

    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        if limit < 1 or window <= timedelta(0):
            raise ValueError("a rate limit needs a limit of at least 1 and a positive window")
        now_us = _micros(now)
        window_us = window // _MICROSECOND
        ttl_ms = math.ceil(window_us / 1000) + EXPIRY_SLACK_MS
        with translated_errors():
            reply: object = await self._hit(
                keys=[f"{self._prefix}rl:{key}"],
                args=[str(now_us), str(now_us - window_us), limit, secrets.token_hex(8), ttl_ms],
            )
        allowed, count, blocking, newest = cast(list[int | str], reply)
        retry_after = _moment(str(blocking)) + window - now if not allowed else timedelta(0)
        return RateDecision(
            allowed=bool(allowed),
            limit=limit,
            remaining=max(0, limit - int(count)),
            retry_after=max(retry_after, timedelta(0)),
            reset_after=max(_moment(str(newest)) + window - now, timedelta(0)),
        )
