"""Messages and the outbox that delivers them, with the retry policy of delivery."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.webhooks import WebhookMessage

# Where a mail's text holds the place of its single-use token until delivery puts the token back.
TOKEN_PLACEHOLDER = "{bastion-sealed-token}"


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
    # The single-use token the text stands in for with TOKEN_PLACEHOLDER, sealed (encrypted with a
    # key the database does not hold): what the outbox stores cannot be used to take an account.
    sealed_token: str | None = None
    # Set on a request for mail that is composed at delivery, not sent as it is: the name of the
    # composer the delivery worker hands it to (e.g. "password_reset"), which may queue real mail.
    composer: str | None = None

    def with_token(self, token: str) -> MailMessage:
        """The message as it is sent: the token back in place of the placeholder, nothing sealed left."""
        text = self.text.replace(TOKEN_PLACEHOLDER, token)
        html = None if self.html is None else self.html.replace(TOKEN_PLACEHOLDER, token)
        return replace(self, text=text, html=html, sealed_token=None)

    def without_body(self) -> MailMessage:
        """What is kept of a message once it was sent or given up: who, what about, never the body."""
        return replace(self, text="", html=None, sealed_token=None)


def mail_request(composer: str, to: str, details: str) -> MailMessage:
    """A request for mail to `to`, composed at delivery by `composer` from `details` (its own text)."""
    return MailMessage(to=to, subject=f"({composer} request)", text=details, composer=composer)


class OutboxKind(StrEnum):
    """What an outbox entry carries; each kind has its own delivery worker, so one never waits for the other."""

    MAIL = "mail"
    WEBHOOK = "webhook"


OutboxMessage = MailMessage | WebhookMessage


def kind_of(message: OutboxMessage) -> OutboxKind:
    return OutboxKind.WEBHOOK if isinstance(message, WebhookMessage) else OutboxKind.MAIL


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    """A message waiting in the outbox, as a delivery worker claims it."""

    id: str
    message: OutboxMessage
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
    # Per message: long enough for one hand-over at the longest SMTP timeout (300 s), so no other
    # worker re-sends a message while it is being handed over.
    lease: timedelta = timedelta(minutes=10)

    def next_attempt_after(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1-based)."""
        return min(self.max_retry, self.first_retry * (1 << min(max(0, attempts - 1), 32)))
