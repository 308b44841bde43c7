"""SqlAuditLog: the audit trail in the `audit_events` table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, delete, func, select, update

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import insert_all
from adapters.sql.tables import UtcDateTime, audit_events
from domain.audit import AuditEvent, AuditEventType
from domain.ids import UserId
from domain.paging import Page
from domain.ports.repositories import AuditLog

_ADD = insert_all(audit_events)
_PURGE = Statement(delete(audit_events).where(audit_events.c.created_at < bindparam("before", type_=UtcDateTime())))
_FORGET = Statement(
    update(audit_events).where(audit_events.c.user_id == bindparam("user_id")).values(ip=None, user_agent=None)
)
_SEARCH: dict[tuple[bool, bool], tuple[Statement, Statement]] = {}


def _search_statements(by_user: bool, by_type: bool) -> tuple[Statement, Statement]:
    statements = _SEARCH.get((by_user, by_type))
    if statements is None:
        conditions: list[ColumnElement[bool]] = []
        if by_user:
            conditions.append(audit_events.c.user_id == bindparam("user_id"))
        if by_type:
            conditions.append(audit_events.c.type == bindparam("type"))
        rows = (
            select(audit_events)
            .where(*conditions)
            .order_by(audit_events.c.created_at.desc(), audit_events.c.id.desc())
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
        total = select(func.count().label("total")).select_from(audit_events).where(*conditions)
        statements = _SEARCH[(by_user, by_type)] = (Statement(rows), Statement(total))
    return statements


class SqlAuditLog(AuditLog):
    """Events inserted into `audit_events` in the unit of work's transaction, `data` as compact JSON text.

    `user_id` is not a foreign key, so events outlive the account they speak of. `search` reads the
    page and the count with two statements in the same transaction (under PostgreSQL's READ
    COMMITTED a commit landing between them may make them disagree by that commit's events).
    `on_add` is told of every added event, for the unit of work to log once they are committed.
    """

    def __init__(self, connection: SqlConnection, *, on_add: Callable[[AuditEvent], None] | None = None) -> None:
        self._connection = connection
        self._on_add = on_add

    async def add(self, event: AuditEvent) -> None:
        await self._connection.execute(_ADD, mapping.audit_event_to_row(event))
        if self._on_add is not None:
            self._on_add(event)

    async def purge(self, before: datetime) -> int:
        return await self._connection.execute(_PURGE, {"before": before})

    async def forget_personal_data(self, user_id: UserId) -> int:
        return await self._connection.execute(_FORGET, {"user_id": user_id})

    async def search(
        self, *, user_id: UserId | None, type_: AuditEventType | None, page: Page
    ) -> tuple[list[AuditEvent], int]:
        rows_statement, total_statement = _search_statements(user_id is not None, type_ is not None)
        values = {
            "user_id": user_id,
            "type": type_.value if type_ is not None else None,
            "limit": page.limit,
            "offset": page.offset,
        }
        rows = await self._connection.fetch(rows_statement, values)
        total = await self._connection.fetch_one(total_statement, values)
        return [mapping.audit_event_from_row(row) for row in rows], int(total["total"]) if total else 0
