"""The background task that empties the outbox, one per server process."""

from __future__ import annotations

import logging
from collections.abc import Callable

from application.ops.deliver_outbox import BATCH_SIZE, DeliverOutboxHandler
from entrypoints.periodic_job import PeriodicJob

logger = logging.getLogger("bastion.outbox")


class OutboxWorker(PeriodicJob):
    """Runs `DeliverOutbox` every `interval` seconds (at once again while batches come back full).

    Several processes may run one each: the outbox's leases keep them from sending an entry twice.
    A store that does not answer is reported once per outage and retried; the worker never dies of it.
    """

    def __init__(self, deliver: Callable[[], DeliverOutboxHandler], interval: float) -> None:
        super().__init__(
            name="bastion-outbox-worker",
            job=lambda: deliver().handle(),
            interval=interval,
            logger=logger,
            down_message="outbox store unavailable (%s); mail waits until it answers",
            busy_at=BATCH_SIZE,
        )
