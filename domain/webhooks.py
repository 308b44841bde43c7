"""Webhooks: audit events sent to one receiver, through the outbox that also carries mail."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC
from typing import TYPE_CHECKING

from domain.audit import AuditEvent, AuditEventType
from domain.events import DomainEvent

if TYPE_CHECKING:
    from domain.ports.repositories import Outbox


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookMessage:
    """One audit event on its way to the webhook receiver at `url`.

    `id` is the audit event's id: it is the outbox entry's id and the `webhook-id` of every
    attempt, so a receiver can recognise a repeat. `body` is the JSON payload, exactly as signed.
    """

    url: str
    id: str
    type: str
    body: str

    def without_body(self) -> WebhookMessage:
        """What is kept of a message once it was sent or given up: where, what about, never the body."""
        return replace(self, body="")


def webhook_payload(event: AuditEvent) -> str:
    """The JSON body sent for `event`: its id, type, user id, creation time (ISO 8601, UTC) and data.

    The request's IP address and user agent stay out: they are personal data the receiver does not need.
    """
    return json.dumps(
        {
            "id": event.id,
            "type": event.type.value,
            "user_id": event.user_id,
            "created_at": event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": event.data,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookSubscription:
    """Where audit events go (`url`) and which of them (`types`; None: all)."""

    url: str
    types: frozenset[AuditEventType] | None = None

    def wants(self, event: AuditEvent) -> bool:
        return self.types is None or event.type in self.types

    async def queue(self, outbox: Outbox, events: Iterable[DomainEvent]) -> None:
        """Put one message per wanted audit event among `events` in `outbox`, due when the event
        happened; other events are ignored. Called by a unit of work's commit, in its transaction."""
        for event in events:
            if isinstance(event, AuditEvent) and self.wants(event):
                message = WebhookMessage(url=self.url, id=event.id, type=event.type.value, body=webhook_payload(event))
                await outbox.add(message, event.created_at)


def parse_event_types(value: str) -> frozenset[AuditEventType] | None:
    """The audit event types of a comma-separated list; None (all types) for an empty one.

    Raises:
        ValueError: a name is not that of an audit event type.
    """
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        return None
    known = {event_type.value: event_type for event_type in AuditEventType}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown audit event types: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return frozenset(known[name] for name in names)


SECRET_PREFIX = "whsec_"
# The specification asks for keys of 24 to 64 bytes.
MIN_KEY_BYTES, MAX_KEY_BYTES = 24, 64


def webhook_key(secret: str) -> bytes:
    """The signing key of a webhook secret: base64, optionally after the `whsec_` prefix (the form
    the Standard Webhooks libraries read, with or without it).

    Raises:
        ValueError: the rest is not base64, or the key is not 24 to 64 bytes long (the message
            never repeats the secret).
    """
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the webhook secret must be base64 (after an optional whsec_ prefix)") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(f"the webhook secret must hold {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes once base64-decoded")
    return key
