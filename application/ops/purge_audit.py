"""PurgeAudit: forget audit events older than the retention period."""

from __future__ import annotations

from datetime import timedelta

from application.unit_of_work import UnitOfWork
from domain.ports.clock import Clock


class PurgeAuditHandler:
    """Delete the audit events created more than `retention` ago, and their webhooks once sent or
    given up; with no retention (None) keep every event. Run every hour by each process
    (`entrypoints/audit_purger.py`): the deletion is idempotent, so several processes doing it
    change nothing. How many events were deleted."""

    def __init__(self, uow: UnitOfWork, clock: Clock, retention: timedelta | None) -> None:
        self._uow, self._clock, self._retention = uow, clock, retention

    async def handle(self) -> int:
        if self._retention is None:
            return 0
        async with self._uow as uow:
            before = self._clock.now() - self._retention
            purged = await uow.audit.purge(before)
            await uow.outbox.purge_webhooks(before)
            await uow.commit()
        return purged
