"""MemoryWebhookSender: keeps sent webhooks in a list, and can be told to fail."""

from __future__ import annotations

from adapters.lifecycle import Lifecycle
from adapters.memory.outage import SimulatedOutage
from domain.ports.mail import WebhookSender
from domain.webhooks import WebhookMessage


class MemoryWebhookSender(SimulatedOutage, WebhookSender, Lifecycle):
    """Records every message it accepts in `sent`, in order. For tests and local development.

    While `down` is True every `send` fails, and `fail_next(n)` makes only the next `n` sends fail;
    a failed send raises `DependencyUnavailableError("webhook receiver")`, as the HTTP adapter does,
    and records nothing.
    """

    def __init__(self) -> None:
        super().__init__("webhook receiver")
        self.sent: list[WebhookMessage] = []

    async def send(self, message: WebhookMessage) -> None:
        self.check()
        self.sent.append(message)

    async def start(self) -> None:
        """Nothing to acquire."""

    async def stop(self) -> None:
        """Nothing to release."""
