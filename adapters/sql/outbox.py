"""SqlOutbox: mail and webhooks queued in the `outbox` table inside one transaction's `SqlConnection`; `SqlOutboxQueue`
delivers it once committed."""

from __future__ import annotations

import uuid
from datetime import datetime

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection
from adapters.sql.statement_parts import insert_all
from adapters.sql.tables import outbox
from domain.mail import OutboxMessage
from domain.ports.repositories import Outbox
from domain.webhooks import WebhookMessage

_COLUMNS = ["id", "kind", "recipient", "subject", "body_text", "body_html", "sealed_token", "composer"]
_OUTBOX_ADD = insert_all(outbox, [*_COLUMNS, "created_at", "attempts", "next_attempt_at"])


class SqlOutbox(Outbox):
    """Messages inserted into `outbox` in the unit of work's transaction, mail under a new uuid4 id,
    a webhook under its own (its audit event's); `SqlOutboxQueue` delivers them once committed."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, message: OutboxMessage, now: datetime) -> str:
        entry_id = message.id if isinstance(message, WebhookMessage) else str(uuid.uuid4())
        await self._connection.execute(_OUTBOX_ADD, mapping.outbox_message_to_row(entry_id, message, now))
        return entry_id
