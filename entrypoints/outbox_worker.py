"""The background tasks that empty the outbox, one per kind of entry and server process."""

from __future__ import annotations

import logging
from collections.abc import Callable

from application.ops.deliver_outbox import BATCH_SIZE, OutboxDelivery
from domain.mail import OutboxKind
from entrypoints.periodic_job import PeriodicJob

logger = logging.getLogger("bastion.outbox")


class OutboxWorker(PeriodicJob):
    """Runs a delivery of `kind` (`DeliverOutbox` for mail, `DeliverWebhooks`) every `interval`
    seconds (at once again while batches come back full).

    Several processes may run one each: the outbox's leases keep them from sending an entry twice.
    A store that does not answer is reported once per outage and retried; the worker never dies of it.
    """

    def __init__(
        self, deliver: Callable[[], OutboxDelivery], interval: float, kind: OutboxKind = OutboxKind.MAIL
    ) -> None:
        waiting = "mail waits" if kind is OutboxKind.MAIL else "webhooks wait"
        super().__init__(
            name="bastion-outbox-worker" if kind is OutboxKind.MAIL else f"bastion-outbox-worker-{kind}",
            job=lambda: deliver().handle(),
            interval=interval,
            logger=logger,
            down_message=f"outbox store unavailable (%s); {waiting} until it answers",
            busy_at=BATCH_SIZE,
        )
