"""The background task that applies the audit retention period, one per server process."""

from __future__ import annotations

import logging

from application.ops.purge_audit import PurgeAuditHandler
from entrypoints.periodic_job import PeriodicJob

logger = logging.getLogger("bastion.audit")

PURGE_INTERVAL_S = 3600.0


class AuditPurger(PeriodicJob):
    """Runs `PurgeAudit` at start and every hour after."""

    def __init__(self, purge: PurgeAuditHandler, interval: float = PURGE_INTERVAL_S) -> None:
        super().__init__(
            name="bastion-audit-purger",
            job=purge.handle,
            interval=interval,
            logger=logger,
            down_message="audit store unavailable (%s); old events are purged once it answers",
        )
