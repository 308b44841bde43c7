"""SqlSessionRepository: sessions in the `sessions` table over one transaction's `SqlConnection`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import NOW, insert_all
from adapters.sql.tables import UtcDateTime, sessions
from domain.ids import SessionId, UserId
from domain.ports.repositories import SessionRepository
from domain.sessions import Session

_SESSION_ADD = insert_all(sessions)
_SESSION_BY_ID = Statement(select(sessions).where(sessions.c.id == bindparam("session_id")))
_SESSIONS_OF_USER = Statement(
    select(sessions)
    .where(sessions.c.user_id == bindparam("user_id"))
    .order_by(sessions.c.created_at.desc(), sessions.c.id.desc())
)
_SESSIONS_ACTIVE = Statement(
    select(sessions)
    .where(
        sessions.c.user_id == bindparam("user_id"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > NOW,
    )
    .order_by(sessions.c.created_at.desc(), sessions.c.id.desc())
)
_SESSION_REVOKE = Statement(
    update(sessions)
    .where(sessions.c.id == bindparam("session_id"), sessions.c.revoked_at.is_(None))
    .values(revoked_at=NOW)
)
_SESSIONS_REVOKE_ALL = Statement(
    update(sessions)
    .where(
        sessions.c.user_id == bindparam("user_id"),
        sessions.c.revoked_at.is_(None),
        sessions.c.id != bindparam("keep"),
    )
    .values(revoked_at=NOW)
    .returning(sessions.c.id)
)
_SESSIONS_REVOKED_SINCE = Statement(
    select(sessions.c.id).where(sessions.c.revoked_at >= bindparam("since", type_=UtcDateTime()))
)


class SqlSessionRepository(SessionRepository):
    """Sessions in `sessions`; revocation only ever sets a `revoked_at` that is still NULL."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, session: Session) -> None:
        await self._connection.execute(_SESSION_ADD, mapping.session_to_row(session))

    async def get(self, session_id: SessionId) -> Session | None:
        row = await self._connection.fetch_one(_SESSION_BY_ID, {"session_id": session_id})
        return mapping.session_from_row(row) if row is not None else None

    async def active_for_user(self, user_id: UserId, now: datetime) -> list[Session]:
        rows = await self._connection.fetch(_SESSIONS_ACTIVE, {"user_id": user_id, "now": now})
        return [mapping.session_from_row(row) for row in rows]

    async def all_for_user(self, user_id: UserId) -> list[Session]:
        rows = await self._connection.fetch(_SESSIONS_OF_USER, {"user_id": user_id})
        return [mapping.session_from_row(row) for row in rows]

    async def revoke(self, session_id: SessionId, now: datetime) -> bool:
        return await self._connection.execute(_SESSION_REVOKE, {"session_id": session_id, "now": now}) == 1

    async def revoke_all_for_user(
        self, user_id: UserId, now: datetime, *, keep: SessionId | None = None
    ) -> list[SessionId]:
        rows = await self._connection.fetch(_SESSIONS_REVOKE_ALL, {"user_id": user_id, "keep": keep or "", "now": now})
        return sorted(SessionId(row["id"]) for row in rows)

    async def revoked_since(self, since: datetime) -> list[SessionId]:
        rows = await self._connection.fetch(_SESSIONS_REVOKED_SINCE, {"since": since})
        return sorted(SessionId(row["id"]) for row in rows)
