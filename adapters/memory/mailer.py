"""MemoryMailer: keeps sent messages in a list, and can be told to fail."""

from __future__ import annotations

from application.errors import DependencyUnavailableError
from domain.mail import MailMessage
from domain.ports.mail import Mailer


class MemoryMailer(Mailer):
    """Records every message it accepts in `sent`, in order. For tests and local development.

    Outages are simulated without a server: while `down` is True every `send` fails, and
    `fail_next(n)` makes only the next `n` sends fail; a failed send raises
    `DependencyUnavailableError("smtp")`, as the SMTP adapter does, and records nothing.
    """

    def __init__(self) -> None:
        self.sent: list[MailMessage] = []
        self.down = False
        self._failures_left = 0

    def fail_next(self, count: int = 1) -> None:
        """Make the next `count` sends fail, then behave as `down` says again."""
        if count < 0:
            raise ValueError("count must not be negative")
        self._failures_left = count

    async def send(self, message: MailMessage) -> None:
        if self._failures_left > 0:
            self._failures_left -= 1
            raise DependencyUnavailableError("smtp")
        if self.down:
            raise DependencyUnavailableError("smtp")
        self.sent.append(message)
