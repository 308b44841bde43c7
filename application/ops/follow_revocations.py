"""FollowRevocations: learn the revocations that other processes stored in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.subscribers import AccessRevoker
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.ports.clock import Clock
from domain.ports.revocation_list import RevocationList
from domain.sessions import SessionPolicy

# How far back each poll reads again: a revocation stamped a little before it was committed (a
# transaction that waited for a lock, clocks of two machines a little apart) is still picked up.
LOOKBACK = timedelta(seconds=10)
PAGE = 1000
PRUNE_EVERY = timedelta(minutes=10)


class FollowRevocationsHandler:
    """Apply the database's revocation log to this process's revocation list; called about twice a
    second by every process, so a revocation made anywhere is enforced everywhere within a second,
    Redis or not.

    - The first call seeds the list with every revocation recent enough to still matter (whose
      tokens may still be alive), so a restarted process keeps refusing them, the tokens of deleted
      accounts included.
    - Later calls read what occurred since the previous call (less `LOOKBACK`), skipping entries
      already applied; they are applied in this process only (`share=False`): every process reads
      the log itself.
    - Every ten minutes the entries too old to matter are pruned.
    - One instance serves every call of a process: it remembers what it has applied.
    """

    def __init__(
        self,
        reader: ReadOnlyUnitOfWork,
        uow: UnitOfWork,
        clock: Clock,
        revocations: RevocationList,
        policy: SessionPolicy,
    ) -> None:
        self._reader, self._uow, self._clock, self._policy = reader, uow, clock, policy
        self._revoker = AccessRevoker(revocations, policy, share=False)
        self._applied: dict[int, datetime] = {}
        self._last_read: datetime | None = None
        self._last_prune: datetime | None = None

    async def handle(self) -> int:
        """How many new revocations were applied."""
        now = self._clock.now()
        since = self._oldest_live(now) if self._last_read is None else self._last_read - LOOKBACK
        applied = await self._apply_since(since)
        self._last_read = now
        self._forget_applied_before(since)
        if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
            await self._prune(now)
        return applied

    async def _apply_since(self, since: datetime) -> int:
        applied, after_id = 0, 0
        while True:
            async with self._reader as view:
                page = await view.revocation_log.since(since, after_id=after_id, limit=PAGE)
            for entry in page:
                if entry.id not in self._applied:
                    await self._revoker.apply(entry.event)
                    self._applied[entry.id] = entry.event.occurred_at
                    applied += 1
            if len(page) < PAGE:
                return applied
            after_id = page[-1].id

    def _forget_applied_before(self, since: datetime) -> None:
        for entry_id in [entry_id for entry_id, moment in self._applied.items() if moment < since]:
            del self._applied[entry_id]

    def _oldest_live(self, now: datetime) -> datetime:
        """The oldest moment whose revocations can still concern a live access token."""
        return now - self._policy.access_ttl - self._policy.revocation_margin

    async def _prune(self, now: datetime) -> None:
        async with self._uow as uow:
            await uow.revocation_log.prune(self._oldest_live(now) - LOOKBACK)
            await uow.commit()
        self._last_prune = now
