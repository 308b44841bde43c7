"""DeliverOutbox: send the mail the outbox holds, with the delivery machinery every kind of entry shares."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar, Protocol

from application.errors import DependencyUnavailableError
from domain.mail import DeliveryPolicy, MailMessage, OutboxEntry, OutboxKind
from domain.ports.clock import Clock
from domain.ports.mail import Mailer, OutboxQueue
from domain.ports.token_sealer import TokenSealer

logger = logging.getLogger("bastion.outbox")

BATCH_SIZE = 10


class MailComposer(Protocol):
    """Turns a request for mail (an outbox entry whose message names this composer) into mail, in
    a transaction of its own: it may queue messages in the outbox, or decide that none is due."""

    @abstractmethod
    async def compose(self, request: MailMessage) -> None:
        """Raises `DependencyUnavailableError` to be retried later, `ValueError` for a request that
        can never be composed."""


class OutboxDelivery(ABC):
    """What the delivery of every kind of outbox entry shares: claims, leases, retries, give-up, marks.

    - Entries of the delivery's `kind` are claimed one at a time, each with its own lease, so
      workers in several processes never send one entry at the same time, and trouble with one
      entry holds up no other; a worker that dies leaves its entry to be claimed again when the
      lease ends. Each kind has its own worker, so a slow webhook receiver never holds up mail.
    - A delivered entry is marked sent, so it is not sent again. Delivery is at least once, not
      exactly once: when the receiver accepted a message but marking it sent fails (the store
      did not answer), the mark is retried at the next call, before anything new is claimed, and
      the rest of the batch goes on. Only if the mark still fails when the entry's lease ends (or
      the process dies first) is the message sent a second time; every attempt of one entry carries
      the same id (Message-ID, webhook-id), so the repeat can be recognised.
    - A failed delivery (`DependencyUnavailableError`) is retried with exponential backoff; after the
      policy's last attempt the entry is given up (kept, and logged as an error), never silently
      dropped. An entry that can never be delivered (`ValueError`) is given up at once.
    - While the outbox store itself does not answer, nothing is claimed and nothing is lost.
    - One instance serves every call of a worker: it remembers the marks still to be written.
    """

    kind: ClassVar[OutboxKind]

    def __init__(self, queue: OutboxQueue, clock: Clock, policy: DeliveryPolicy) -> None:
        self._queue, self._clock, self._policy = queue, clock, policy
        self._unmarked: list[str] = []

    async def handle(self) -> int:
        """Deliver up to a batch of due entries; how many were sent (or composed)."""
        await self._mark_pending()
        delivered = 0
        for _ in range(BATCH_SIZE):
            claimed = await self._queue.claim(self._clock.now(), limit=1, lease=self._policy.lease, kind=self.kind)
            if not claimed:
                break
            if await self._deliver(claimed[0]):
                delivered += 1
                await self._mark(claimed[0].id)
        return delivered

    @abstractmethod
    async def _hand_over(self, entry: OutboxEntry) -> None:
        """Send the entry; raises `DependencyUnavailableError` to retry, `ValueError` to give up."""

    async def _deliver(self, entry: OutboxEntry) -> bool:
        """Hand the entry over; on failure, schedule its retry or give it up."""
        try:
            await self._hand_over(entry)
        except ValueError:
            # The message itself cannot be sent (say, a malformed address, or a token sealed under
            # a secret key that was changed since): retrying cannot help.
            logger.error("giving up undeliverable outbox entry %s", entry.id)
            await self._queue.give_up(entry.id, self._clock.now())
            return False
        except DependencyUnavailableError:
            attempts = entry.attempts + 1
            if attempts >= self._policy.max_attempts:
                logger.error("giving up outbox entry %s after %d attempts", entry.id, attempts)
                await self._queue.give_up(entry.id, self._clock.now())
            else:
                retry_at = self._clock.now() + self._policy.next_attempt_after(attempts)
                await self._queue.retry_later(entry.id, next_attempt_at=retry_at)
            return False
        return True

    async def _mark(self, entry_id: str) -> None:
        try:
            await self._queue.mark_sent(entry_id, self._clock.now())
        except DependencyUnavailableError:
            logger.warning("outbox entry %s was sent but could not be marked yet; retrying", entry_id)
            self._unmarked.append(entry_id)

    async def _mark_pending(self) -> None:
        """Write the marks that failed before; raises while the store still does not answer."""
        while self._unmarked:
            await self._queue.mark_sent(self._unmarked[0], self._clock.now())
            self._unmarked.pop(0)


class DeliverOutboxHandler(OutboxDelivery):
    """Deliver one batch of due mail from the outbox; the number delivered.

    - Delivery as `OutboxDelivery` says: one entry at a time under a lease, at least once, retried
      with backoff, given up after the policy's last attempt; every attempt of one message carries
      the same Message-ID (the entry's id).
    - A request for mail composed at delivery (`MailMessage.composer`) is handed to its composer,
      which queues the real mail (delivered in the same round when due) or none; it is then settled
      like a sent message.
    """

    kind = OutboxKind.MAIL

    def __init__(
        self,
        queue: OutboxQueue,
        mailer: Mailer,
        clock: Clock,
        policy: DeliveryPolicy,
        sealer: TokenSealer,
        composers: Mapping[str, MailComposer] | None = None,
    ) -> None:
        super().__init__(queue, clock, policy)
        self._mailer, self._sealer, self._composers = mailer, sealer, dict(composers or {})

    async def _hand_over(self, entry: OutboxEntry) -> None:
        if not isinstance(entry.message, MailMessage):
            raise ValueError("not mail")
        composer_name = entry.message.composer
        if composer_name is None:
            await self._mailer.send(self._unsealed(replace(entry.message, message_id=entry.id)))
            return
        composer = self._composers.get(composer_name)
        if composer is None:
            raise ValueError(f"no composer named {composer_name!r}")
        await composer.compose(entry.message)

    def _unsealed(self, message: MailMessage) -> MailMessage:
        """The message with its link token back in place (ValueError when it cannot be unsealed)."""
        if message.sealed_token is None:
            return message
        return message.with_token(self._sealer.unseal(message.sealed_token))
