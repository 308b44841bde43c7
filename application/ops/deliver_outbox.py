"""DeliverOutbox: send what the outbox holds."""

from __future__ import annotations

import logging

from application.errors import DependencyUnavailableError
from domain.mail import DeliveryPolicy
from domain.ports.clock import Clock
from domain.ports.mail import Mailer, OutboxQueue

logger = logging.getLogger("bastion.outbox")

BATCH_SIZE = 10


class DeliverOutboxHandler:
    """Deliver one batch of due outbox entries; the number delivered.

    - Entries are claimed with a lease, so workers in several processes never send one entry at
      the same time; a worker that dies mid-batch leaves its entries to be claimed again when the
      lease ends.
    - A delivered entry is marked sent and never sent again.
    - A failed delivery is retried with exponential backoff; after the policy's last attempt the
      entry is given up (kept, and logged as an error), never silently dropped.
    - While the outbox store itself does not answer, nothing is claimed and nothing is lost.
    """

    def __init__(self, queue: OutboxQueue, mailer: Mailer, clock: Clock, policy: DeliveryPolicy) -> None:
        self._queue, self._mailer, self._clock, self._policy = queue, mailer, clock, policy

    async def handle(self) -> int:
        entries = await self._queue.claim(self._clock.now(), limit=BATCH_SIZE, lease=self._policy.lease)
        delivered = 0
        for entry in entries:
            try:
                await self._mailer.send(entry.message)
            except ValueError:
                # The message itself cannot be sent (say, a malformed address): retrying cannot help.
                logger.error("giving up undeliverable outbox entry %s", entry.id)
                await self._queue.give_up(entry.id, self._clock.now())
                continue
            except DependencyUnavailableError:
                attempts = entry.attempts + 1
                if attempts >= self._policy.max_attempts:
                    logger.error("giving up outbox entry %s after %d attempts", entry.id, attempts)
                    await self._queue.give_up(entry.id, self._clock.now())
                else:
                    retry_at = self._clock.now() + self._policy.next_attempt_after(attempts)
                    await self._queue.retry_later(entry.id, next_attempt_at=retry_at)
                continue
            await self._queue.mark_sent(entry.id, self._clock.now())
            delivered += 1
        return delivered
