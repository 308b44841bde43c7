"""DeliverWebhooks: post the audit events the outbox holds to the webhook receiver."""

from __future__ import annotations

from application.ops.deliver_outbox import OutboxDelivery
from domain.mail import DeliveryPolicy, OutboxEntry, OutboxKind
from domain.ports.clock import Clock
from domain.ports.mail import OutboxQueue, WebhookSender
from domain.webhooks import WebhookMessage


class DeliverWebhooksHandler(OutboxDelivery):
    """Deliver one batch of due webhooks from the outbox; the number delivered.

    - Delivery as `OutboxDelivery` says: one entry at a time under a lease, at least once, retried
      with backoff while the receiver fails (an answer other than 2xx, no answer in time, no
      connection), given up after the policy's last attempt. Every attempt of one event carries
      the same webhook-id (the audit event's id), so the receiver can drop repeats.
    - Webhooks have a worker of their own: a receiver that is slow or down never holds up mail.
    - Order is not guaranteed: an event whose delivery failed is retried after later ones.
    """

    kind = OutboxKind.WEBHOOK

    def __init__(self, queue: OutboxQueue, sender: WebhookSender, clock: Clock, policy: DeliveryPolicy) -> None:
        super().__init__(queue, clock, policy)
        self._sender = sender

    async def _hand_over(self, entry: OutboxEntry) -> None:
        if not isinstance(entry.message, WebhookMessage):
            raise ValueError("not a webhook")
        await self._sender.send(entry.message)
