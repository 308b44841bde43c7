"""SqlOutbox: mail and webhooks queued in the `outbox` table inside one transaction's `SqlConnection`; `SqlOutboxQueue`
delivers it once committed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, delete, or_

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import insert_all
from adapters.sql.tables import UtcDateTime, outbox
from domain.mail import OutboxKind, OutboxMessage
from domain.ports.repositories import Outbox
from domain.webhooks import WebhookMessage

_COLUMNS = ["id", "kind", "recipient", "subject", "body_text", "body_html", "sealed_token", "composer"]
_OUTBOX_ADD = insert_all(outbox, [*_COLUMNS, "created_at", "attempts", "next_attempt_at"])
_PURGE_WEBHOOKS = Statement(
    delete(outbox).where(
        outbox.c.kind == OutboxKind.WEBHOOK.value,
        outbox.c.created_at < bindparam("before", type_=UtcDateTime()),
        or_(outbox.c.sent_at.is_not(None), outbox.c.failed_at.is_not(None)),
    )
)


class SqlOutbox(Outbox):
    """Messages inserted into `outbox` in the unit of work's transaction, mail under a new uuid4 id,
    a webhook under its own (its audit event's); `SqlOutboxQueue` delivers them once committed."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, message: OutboxMessage, now: datetime) -> str:
        entry_id = message.id if isinstance(message, WebhookMessage) else str(uuid.uuid4())
        await self._connection.execute(_OUTBOX_ADD, mapping.outbox_message_to_row(entry_id, message, now))
        return entry_id

    async def purge_webhooks(self, before: datetime) -> int:
        return await self._connection.execute(_PURGE_WEBHOOKS, {"before": before})
