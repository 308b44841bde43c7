"""The outbox ports: sending email and webhooks, and the delivery side of the outbox."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, timedelta
from typing import Protocol

from domain.mail import MailMessage, OutboxEntry, OutboxKind
from domain.webhooks import WebhookMessage


class Mailer(Protocol):
    """Hands email over for delivery."""

    @abstractmethod
    async def send(self, message: MailMessage) -> None:
        """Deliver one message.

        Raises `DependencyUnavailableError` when the message could not be handed over (server down,
        refused, timed out); the caller may try again later.
        """


class WebhookSender(Protocol):
    """Posts audit events to the webhook receiver, signed."""

    @abstractmethod
    async def send(self, message: WebhookMessage) -> None:
        """Deliver one message: the receiver answered 2xx.

        Raises `DependencyUnavailableError` when it did not (any other status, no answer in time,
        no connection); the caller may try again later.
        """


class OutboxQueue(Protocol):
    """The delivery side of the outbox, used by workers outside any unit of work.

    Implementations that depend on a server raise `DependencyUnavailableError` when it does not answer.
    """

    @abstractmethod
    async def claim(
        self, now: datetime, *, limit: int, lease: timedelta, kind: OutboxKind = OutboxKind.MAIL
    ) -> list[OutboxEntry]:
        """Up to `limit` unsent entries of `kind` due at `now` (oldest first), leased to the caller
        until `now + lease`: no other caller, in any process, claims them before the lease ends."""

    @abstractmethod
    async def mark_sent(self, entry_id: str, now: datetime) -> None:
        """Record the delivery: the entry is never claimed again."""

    @abstractmethod
    async def retry_later(self, entry_id: str, *, next_attempt_at: datetime) -> None:
        """Record a failed attempt: one more attempt counted, the lease dropped, due again at `next_attempt_at`."""

    @abstractmethod
    async def give_up(self, entry_id: str, now: datetime) -> None:
        """Stop trying to deliver the entry (it stays stored as failed, never claimed again)."""

    @abstractmethod
    async def backlog(self) -> int:
        """How many entries are pending: neither delivered nor given up (due now or later)."""
