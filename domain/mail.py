"""Messages and the outbox that delivers them, with the retry policy of delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class MailMessage:
    """One email: a plain-text part always, an HTML part optionally."""

    to: str
    subject: str
    text: str
    html: str | None = None
    # Set at delivery from the outbox entry's id, so that every retry of one message carries the
    # same Message-ID and a receiving server (or reader) can tell a repeat from a new message.
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    """A message waiting in the outbox, as a delivery worker claims it."""

    id: str
    message: MailMessage
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryPolicy:
    """Retries of the outbox: exponential backoff from `first_retry`, capped at `max_retry`, for at
    most `max_attempts` attempts (about a day with the defaults; mailed tokens expire long before)."""

    first_retry: timedelta = timedelta(seconds=5)
    max_retry: timedelta = timedelta(hours=1)
    max_attempts: int = 30
    # Long enough for a whole batch at the longest SMTP timeout, so no other worker re-sends it.
    lease: timedelta = timedelta(minutes=10)

    def next_attempt_after(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1-based)."""
        return min(self.max_retry, self.first_retry * (1 << min(max(0, attempts - 1), 32)))
