"""MemoryMailer: keeps sent messages in a list, and can be told to fail."""

from __future__ import annotations

from adapters.memory.outage import SimulatedOutage
from domain.mail import MailMessage
from domain.ports.mail import Mailer


class MemoryMailer(SimulatedOutage, Mailer):
    """Records every message it accepts in `sent`, in order. For tests and local development.

    Outages are simulated without a server: while `down` is True every `send` fails, and
    `fail_next(n)` makes only the next `n` sends fail; a failed send raises
    `DependencyUnavailableError("smtp")`, as the SMTP adapter does, and records nothing.
    """

    def __init__(self) -> None:
        super().__init__("smtp")
        self.sent: list[MailMessage] = []

    async def send(self, message: MailMessage) -> None:
        self.check()
        self.sent.append(message)
