"""RedisRevocationList: revocations shared through Redis, answered from a per-process cache."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Collection, Mapping
from datetime import datetime

import coredis
from coredis.retry import NoRetryPolicy
from coredis.tokens import PureToken

from adapters.lifecycle import Lifecycle
from adapters.revocation_cache import RevocationCache, seconds_down, seconds_up
from domain.ids import SessionId, UserId
from domain.ports.revocation_list import RevocationList
from domain.sessions import AccessClaims

logger = logging.getLogger("bastion.revocations")

RETRY_FIRST_DELAY_S = 0.1
RETRY_MAX_DELAY_S = 2.0
# How long the subscriber waits for a message before retrying pending writes.
IDLE_WAIT_S = 1.0
# A subscription that hears nothing for this long is checked with a PING, so a half-open
# connection (no RST, e.g. a network partition) is noticed too.
KEEPALIVE_IDLE_S = 5.0
CLEANUP_INTERVAL_S = 60.0
WRITE_BATCH_SIZE = 500


class RedisRevocationList(RevocationList, Lifecycle):
    """Revocations kept in Redis and mirrored in every process's memory, so `is_revoked` costs no I/O.

    Key layout (under the environment's `prefix`):

    - `{prefix}revoked`: a sorted set; member `s:<session_id>` for a revoked session and
      `u:<user_id>:<issued_before>` for a user's "issued before" moment (whole epoch seconds); the
      score is `until` (whole epoch seconds, rounded up). `ZADD GT` never shortens an entry; entries
      whose `until` has passed are removed with `ZREMRANGEBYSCORE` at most once a minute per process,
      taking "now" from the latest time this process checked a token (this adapter has no clock).
    - `{prefix}revocations`: a channel; every write publishes its entries as a JSON list of
      `[member, until]` pairs, in the same MULTI/EXEC as the `ZADD` (one round trip).

    Each process runs one subscriber task (`start()` / `stop()`): it subscribes first, then loads the
    whole set (so nothing published in between is missed), then applies every message it hears. A
    revocation is applied to the local cache before it is written, so the process that makes it
    enforces it at once; the others within milliseconds.

    Outage: a dropped subscription is retried forever (0.1 s doubling to 2 s) and `connected` is
    False meanwhile, so readiness can report Redis degraded. Every process keeps enforcing what it
    already knows. Writes that Redis does not take are kept pending in memory (one warning per
    outage on `bastion.revocations`) and written when it answers again, by the next write, the
    subscriber's periodic retry, or its reconnect. On every reconnect the subscriber reloads the set,
    so revocations made by other processes during the outage arrive then. Nothing is dropped; what
    an outage costs is that other processes learn of a revocation only once Redis is back.
    """

    def __init__(self, client: coredis.Redis[str], prefix: str) -> None:
        self._client = client
        self._key = f"{prefix}revoked"
        self._channel = f"{prefix}revocations"
        self._cache = RevocationCache()
        self._pending: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()
        self._connected = False
        self._write_outage = False
        self._last_cleanup: float | None = None

    @property
    def connected(self) -> bool:
        """Whether the subscriber is subscribed and has loaded the set: this process hears revocations."""
        return self._connected

    async def start(self) -> None:
        """Start the subscriber; return once its first attempt is over. With Redis answering, every
        revocation stored before is then loaded; without, the subscriber keeps retrying in the background."""
        if self._task is not None:
            return
        self._first_attempt = asyncio.Event()
        self._task = asyncio.create_task(self._follow(), name="bastion-revocations")
        await self._first_attempt.wait()

    async def stop(self) -> None:
        """Stop the subscriber, then try once more to write pending revocations. Call it before the
        client is closed. What Redis still does not take is lost with the process (logged as an error):
        the database has the revocation, but other processes learn of it only from their own seeding."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait([task])
            if not task.cancelled() and (error := task.exception()) is not None:
                # A connection error can race the cancellation out of coredis's task groups.
                logger.info("Revocation subscriber ended with %s while stopping", _describe(error))
        self._connected = False
        await self._flush()
        if self._pending:
            logger.error("%d revocations could not be written to Redis before stopping", len(self._pending))

    async def revoke_sessions(self, session_ids: Collection[SessionId], *, until: datetime, share: bool = True) -> None:
        until_s = seconds_up(until.timestamp())
        for session_id in session_ids:
            self._cache.add_session(session_id, until_s)
        if share:
            await self._write({_session_member(session_id): until_s for session_id in session_ids})

    async def revoke_user(
        self, user_id: UserId, *, issued_before: datetime, until: datetime, share: bool = True
    ) -> None:
        before_s, until_s = seconds_down(issued_before.timestamp()), seconds_up(until.timestamp())
        self._cache.add_user(user_id, before_s, until_s)
        if share:
            await self._write({_user_member(user_id, before_s): until_s})

    def is_revoked(self, claims: AccessClaims, now: datetime) -> bool:
        return self._cache.is_revoked(claims, now.timestamp())

    def is_session_revoked(self, session_id: str, now: datetime) -> bool:
        return self._cache.is_session_revoked(session_id, now.timestamp())

    async def _write(self, entries: Mapping[str, int]) -> None:
        for member, until in entries.items():
            self._pending[member] = max(until, self._pending.get(member, until))
        if self._task is not None and not self._connected:
            # The subscriber flushes as soon as Redis answers; trying now would only add the connect
            # timeout to this request.
            self._note_write_outage("the subscription is down")
            return
        await self._flush()

    async def _flush(self) -> None:
        batch = list(self._pending.items())
        if not batch:
            return
        for start in range(0, len(batch), WRITE_BATCH_SIZE):
            chunk = dict(batch[start : start + WRITE_BATCH_SIZE])
            try:
                await self._send(chunk)
            except Exception as error:  # any failure to write keeps the entries pending; never raise
                self._note_write_outage(_describe(error))
                return
            for member, until in chunk.items():
                if self._pending.get(member) == until:
                    del self._pending[member]
        if self._write_outage:
            self._write_outage = False
            logger.info("Redis takes revocations again; pending revocations written")

    async def _send(self, entries: dict[str, int]) -> None:
        cleanup_before = self._cleanup_due()
        scores: dict[str | bytes, int | float] = dict(entries.items())
        async with self._client.pipeline(transaction=True) as pipeline:
            pipeline.zadd(self._key, scores, comparison=PureToken.GT)
            pipeline.publish(self._channel, json.dumps(list(entries.items())))
            if cleanup_before is not None:
                pipeline.zremrangebyscore(self._key, float("-inf"), cleanup_before)
        if cleanup_before is not None:
            self._last_cleanup = self._cache.latest_seen

    def _cleanup_due(self) -> float | None:
        latest = self._cache.latest_seen
        if latest is None or (self._last_cleanup is not None and latest - self._last_cleanup < CLEANUP_INTERVAL_S):
            return None
        return latest - 1

    def _note_write_outage(self, reason: str) -> None:
        if not self._write_outage:
            self._write_outage = True
            logger.warning(
                "Redis did not take a revocation (%s): kept pending and enforced by this process only "
                "until Redis answers",
                reason,
            )

    async def _follow(self) -> None:
        delay = RETRY_FIRST_DELAY_S
        outage_logged = False
        while True:
            try:
                await self._follow_once()
            except Exception as error:  # whatever breaks the subscription, it is retried
                if self._connected:  # it was up: a new outage begins
                    delay, outage_logged = RETRY_FIRST_DELAY_S, False
                if not outage_logged:
                    outage_logged = True
                    logger.warning(
                        "Revocation subscription to Redis lost (%s): retrying; until then this process "
                        "enforces only the revocations it knows",
                        _describe(error),
                    )
            finally:
                self._connected = False
                self._first_attempt.set()
            await asyncio.sleep(delay)
            delay = min(2 * delay, RETRY_MAX_DELAY_S)

    async def _follow_once(self) -> None:
        async with self._client.pubsub(
            ignore_subscribe_messages=True,
            # Reconnecting is ours to do: after a drop the set must be reloaded, not just resubscribed.
            retry_policy=NoRetryPolicy(),
            max_idle_seconds=KEEPALIVE_IDLE_S,
        ) as subscription:
            await subscription.subscribe(self._channel)
            await self._reload()
            self._connected = True
            self._first_attempt.set()
            logger.info("Revocation subscription to Redis established; revocation list loaded")
            await self._flush()
            while True:
                message = await subscription.get_message(timeout=IDLE_WAIT_S)
                if message is None:
                    if self._pending:
                        await self._flush()
                elif message["type"] == "message":
                    self._apply(message["data"])

    async def _reload(self) -> None:
        latest = self._cache.latest_seen
        lowest: int | str = "-inf" if latest is None else seconds_down(latest)
        entries = await self._client.zrange(self._key, lowest, "+inf", sortby=PureToken.BYSCORE, withscores=True)
        for entry in entries:
            self._apply_entry(entry.member, entry.score)

    def _apply(self, data: object) -> None:
        try:
            entries = json.loads(data) if isinstance(data, str | bytes) else None
        except ValueError:
            entries = None
        if not isinstance(entries, list):
            logger.warning("Ignored a malformed revocation message on %s", self._channel)
            return
        for entry in entries:
            match entry:
                case [member, until]:
                    self._apply_entry(member, until)
                case _:
                    logger.warning("Ignored a malformed revocation message on %s", self._channel)

    def _apply_entry(self, member: object, until: object) -> None:
        """Add one stored or published entry to the cache; anything malformed is logged and skipped,
        never allowed to stop the subscriber."""
        try:
            if not isinstance(member, str) or not isinstance(until, int | float):
                raise TypeError
            kind, _, rest = member.partition(":")
            if kind == "s":
                self._cache.add_session(rest, int(until))
            elif kind == "u":
                user_id, _, issued_before = rest.rpartition(":")
                self._cache.add_user(user_id, int(issued_before), int(until))
            else:
                raise ValueError(kind)
        except (TypeError, ValueError, OverflowError):
            logger.warning("Ignored a malformed revocation entry on %s", self._key)


def _session_member(session_id: str) -> str:
    return f"s:{session_id}"


def _user_member(user_id: str, issued_before: int) -> str:
    return f"u:{user_id}:{issued_before}"


def _describe(error: BaseException) -> str:
    """The innermost error's type: coredis wraps connection failures in exception groups, and its
    messages can quote the command with the session ids it carried."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return type(error).__name__
