"""Structured log lines of the audit trail: one JSON object per committed event, on `bastion.audit`.

`log_audit_event` subscribes to `AuditEvent` on the message bus, which runs after a successful
commit only, so the log never shows an event that a rolled-back transaction recorded, and log
shippers can follow the trail without reading the database. Lines are ASCII (`json` escapes
everything else, line breaks included), so a user agent cannot split or forge a line.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC
from typing import Any

from domain.audit import AuditEvent

logger = logging.getLogger("bastion.audit")


def as_json_line(event: AuditEvent) -> str:
    """The event as one compact JSON object: id, type, user_id, ip, user_agent, created_at (ISO 8601, UTC), data."""
    fields: dict[str, Any] = {
        "id": event.id,
        "type": event.type.value,
        "user_id": event.user_id,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "data": event.data,
    }
    return json.dumps(fields, separators=(",", ":"))


async def log_audit_event(event: AuditEvent) -> None:
    """Log one committed event at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info("%s", as_json_line(event))
