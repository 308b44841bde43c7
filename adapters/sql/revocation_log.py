"""SqlRevocationLog: the revocation events of committed transactions, in the `revocation_log` table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select

from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import insert_all
from adapters.sql.tables import UtcDateTime, revocation_log
from domain.events import (
    DomainEvent,
    RecordedRevocation,
    RevocationEvent,
    RolesChanged,
    SessionsRevoked,
    UserRevoked,
    revocations_among,
)
from domain.ids import SessionId, UserId
from domain.ports.repositories import RevocationLog

_ADD = insert_all(revocation_log, ["kind", "subject", "roles", "occurred_at"])
_SINCE = Statement(
    select(revocation_log)
    .where(
        revocation_log.c.occurred_at >= bindparam("moment", type_=UtcDateTime()),
        revocation_log.c.id > bindparam("after_id"),
    )
    .order_by(revocation_log.c.id)
    .limit(bindparam("limit"))
)
_PRUNE = Statement(
    delete(revocation_log).where(revocation_log.c.occurred_at < bindparam("before", type_=UtcDateTime()))
)


def _row(event: RevocationEvent) -> dict[str, Any]:
    row: dict[str, Any] = {"roles": None, "occurred_at": event.occurred_at}
    if isinstance(event, SessionsRevoked):
        row.update(kind="session", subject=event.session_ids[0])
    elif isinstance(event, UserRevoked):
        row.update(kind="user", subject=event.user_id)
    else:
        row.update(kind="roles", subject=event.user_id, roles=",".join(sorted(event.roles)))
    return row


def _event(row: Mapping[str, Any]) -> RevocationEvent:
    kind, subject, occurred_at = row["kind"], row["subject"], row["occurred_at"]
    if kind == "session":
        return SessionsRevoked(session_ids=(SessionId(subject),), occurred_at=occurred_at)
    if kind == "user":
        return UserRevoked(user_id=UserId(subject), occurred_at=occurred_at)
    roles = frozenset(role for role in (row["roles"] or "").split(",") if role)
    return RolesChanged(user_id=UserId(subject), roles=roles, occurred_at=occurred_at)


class SqlRevocationLog(RevocationLog):
    """Reads and prunes `revocation_log` (id, kind, subject, roles, occurred_at) on the unit of work's
    connection; `store` is what the unit of work's commit calls, inside its transaction."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def store(self, events: Iterable[DomainEvent]) -> None:
        for event in revocations_among(events):
            await self._connection.execute(_ADD, _row(event))

    async def since(self, moment: datetime, *, after_id: int = 0, limit: int) -> list[RecordedRevocation]:
        rows = await self._connection.fetch(_SINCE, {"moment": moment, "after_id": after_id, "limit": limit})
        return [RecordedRevocation(id=row["id"], event=_event(row)) for row in rows]

    async def prune(self, before: datetime) -> int:
        return await self._connection.execute(_PRUNE, {"before": before})
