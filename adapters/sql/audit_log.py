"""SqlAuditLog: the audit trail in the `audit_events` table."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql import mapping
from adapters.sql.errors import translated_errors
from adapters.sql.tables import audit_events
from domain.audit import AuditEvent, AuditEventType
from domain.model import Page, UserId
from domain.ports.repositories import AuditLog


class SqlAuditLog(AuditLog):
    """Events inserted into `audit_events` in the unit of work's transaction, `data` as compact JSON text.

    `user_id` is not a foreign key, so events outlive the account they speak of. `search` reads the
    page and the count with two statements in the same transaction (under PostgreSQL's READ
    COMMITTED a commit landing between them may make them disagree by that commit's events).
    `on_add` is told of every added event, for the unit of work to log once they are committed.
    """

    def __init__(self, session: AsyncSession, *, on_add: Callable[[AuditEvent], None] | None = None) -> None:
        self._session = session
        self._on_add = on_add

    async def add(self, event: AuditEvent) -> None:
        with translated_errors():
            await self._session.execute(insert(audit_events).values(mapping.audit_event_to_row(event)))
        if self._on_add is not None:
            self._on_add(event)

    async def search(
        self, *, user_id: UserId | None, type_: AuditEventType | None, page: Page
    ) -> tuple[list[AuditEvent], int]:
        conditions: list[ColumnElement[bool]] = []
        if user_id is not None:
            conditions.append(audit_events.c.user_id == user_id)
        if type_ is not None:
            conditions.append(audit_events.c.type == type_.value)
        rows_statement = (
            select(audit_events)
            .where(*conditions)
            .order_by(audit_events.c.created_at.desc(), audit_events.c.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
        count_statement = select(func.count()).select_from(audit_events).where(*conditions)
        with translated_errors():
            rows = (await self._session.execute(rows_statement)).mappings().all()
            total = (await self._session.execute(count_statement)).scalar_one()
        return [mapping.audit_event_from_row(row) for row in rows], total
