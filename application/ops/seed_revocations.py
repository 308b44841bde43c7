"""SeedRevocations: fill the revocation list from the database when a process starts."""

from __future__ import annotations

from application.unit_of_work import ReadOnlyUnitOfWork
from domain.ports.clock import Clock
from domain.ports.revocation_list import RevocationList
from domain.sessions import SessionPolicy


class SeedRevocationsHandler:
    """Put every session revoked recently enough to still have live access tokens on the revocation list.

    - Run once at start: a process that starts (or restarts) with an empty in-process list would
      otherwise accept access tokens of sessions that were logged out before it started.
    """

    def __init__(
        self, reader: ReadOnlyUnitOfWork, clock: Clock, revocations: RevocationList, policy: SessionPolicy
    ) -> None:
        self._reader, self._clock, self._revocations, self._policy = reader, clock, revocations, policy

    async def handle(self) -> int:
        now = self._clock.now()
        since = now - self._policy.access_ttl - self._policy.revocation_margin
        async with self._reader as view:
            revoked = await view.sessions.revoked_since(since)
        if revoked:
            await self._revocations.revoke_sessions(revoked, until=self._policy.revocation_until(now))
        return len(revoked)
