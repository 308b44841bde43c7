"""SqlRefreshTokenRepository: refresh tokens in the `refresh_tokens` table over one transaction's
`SqlConnection`; the lookup and the rotation of `POST /auth/refresh` each take one statement."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, func, select, update
from sqlalchemy.dialects import postgresql

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import NOW, dialect_insert
from adapters.sql.tables import UtcDateTime, refresh_tokens, sessions, users
from domain.ports.repositories import RefreshTokenLookup, RefreshTokenRepository
from domain.sessions import RefreshToken

# INSERT ... ON CONFLICT DO NOTHING: a duplicate hash is ignored without aborting the transaction.
_REFRESH_TOKEN_ADD = Statement(
    lambda dialect_name: dialect_insert(dialect_name, refresh_tokens).on_conflict_do_nothing(
        index_elements=[refresh_tokens.c.token_hash]
    ),
    column_keys=[column.key for column in refresh_tokens.columns],
)
_REFRESH_TOKEN_BY_HASH = Statement(select(refresh_tokens).where(refresh_tokens.c.token_hash == bindparam("hash")))
_LOOKUP_PREFIXES = (("t_", refresh_tokens), ("s_", sessions), ("u_", users))
_REFRESH_TOKEN_LOOKUP = Statement(
    select(*(column.label(prefix + column.key) for prefix, table in _LOOKUP_PREFIXES for column in table.columns))
    .select_from(
        refresh_tokens.outerjoin(sessions, sessions.c.id == refresh_tokens.c.session_id).outerjoin(
            users, users.c.id == refresh_tokens.c.user_id
        )
    )
    .where(refresh_tokens.c.token_hash == bindparam("hash"))
)


def _unprefixed(row: Mapping[str, Any], prefix: str) -> dict[str, Any] | None:
    """The columns of one joined table, or None when the outer join found no row for it."""
    values = {name[len(prefix) :]: value for name, value in row.items() if name.startswith(prefix)}
    return values if values["id" if prefix != "t_" else "token_hash"] is not None else None


_REFRESH_TOKEN_USE_UPDATE = (
    update(refresh_tokens)
    .where(refresh_tokens.c.token_hash == bindparam("hash"), refresh_tokens.c.used_at.is_(None))
    .values(used_at=NOW)
)
_REFRESH_TOKEN_USE = Statement(_REFRESH_TOKEN_USE_UPDATE)
# SQLite's `rotate` renews the session in a statement of its own.
_SESSION_TOUCH = Statement(
    update(sessions)
    .where(sessions.c.id == bindparam("session_id"))
    .values(last_used_at=NOW, expires_at=bindparam("successor_expires_at", type_=UtcDateTime()))
)


def _rotation() -> Select[int]:
    """PostgreSQL: the conditional use, the successor and the session's use in one statement, whose
    data-modifying parts all hang on the row the conditional UPDATE returns."""
    used = _REFRESH_TOKEN_USE_UPDATE.returning(refresh_tokens.c.session_id).cte("used")
    successor_expires_at = bindparam("successor_expires_at", type_=UtcDateTime())
    successor = (
        postgresql.insert(refresh_tokens)
        .from_select(
            ["token_hash", "session_id", "user_id", "issued_at", "expires_at"],
            select(
                bindparam("successor_hash", type_=String()),
                used.c.session_id,
                bindparam("successor_user_id", type_=String()),
                bindparam("successor_issued_at", type_=UtcDateTime()),
                successor_expires_at,
            ),
        )
        .on_conflict_do_nothing(index_elements=[refresh_tokens.c.token_hash])
        .cte("successor")
    )
    touched = (
        update(sessions)
        .where(sessions.c.id.in_(select(used.c.session_id)))
        .values(last_used_at=NOW, expires_at=successor_expires_at)
        .cte("touched")
    )
    return select(func.count().label("rotated")).select_from(used).add_cte(successor, touched)


_REFRESH_TOKEN_ROTATE = Statement(_rotation())


class SqlRefreshTokenRepository(RefreshTokenRepository):
    """Refresh tokens in `refresh_tokens`, keyed by hash; `rotate` hangs on one conditional UPDATE."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, token: RefreshToken) -> None:
        await self._connection.execute(_REFRESH_TOKEN_ADD, mapping.refresh_token_to_row(token))

    async def get(self, token_hash: str) -> RefreshToken | None:
        row = await self._connection.fetch_one(_REFRESH_TOKEN_BY_HASH, {"hash": token_hash})
        return mapping.refresh_token_from_row(row) if row is not None else None

    async def lookup(self, token_hash: str) -> RefreshTokenLookup | None:
        row = await self._connection.fetch_one(_REFRESH_TOKEN_LOOKUP, {"hash": token_hash})
        token = _unprefixed(row, "t_") if row is not None else None
        if row is None or token is None:
            return None
        session, user = _unprefixed(row, "s_"), _unprefixed(row, "u_")
        return RefreshTokenLookup(
            mapping.refresh_token_from_row(token),
            mapping.session_from_row(session) if session is not None else None,
            mapping.user_from_row(user) if user is not None else None,
        )

    async def rotate(self, token_hash: str, successor: RefreshToken, now: datetime) -> bool:
        values = {
            "hash": token_hash,
            "now": now,
            "session_id": successor.session_id,
            "successor_hash": successor.token_hash,
            "successor_user_id": successor.user_id,
            "successor_issued_at": successor.issued_at,
            "successor_expires_at": successor.expires_at,
        }
        if self._connection.dialect_name == "postgresql":
            row = await self._connection.fetch_one(_REFRESH_TOKEN_ROTATE, values)
            return row is not None and row["rotated"] == 1
        # SQLite has no data-modifying CTEs: three statements under the transaction's write lock.
        if await self._connection.execute(_REFRESH_TOKEN_USE, values) != 1:
            return False
        await self._connection.execute(_REFRESH_TOKEN_ADD, mapping.refresh_token_to_row(successor))
        await self._connection.execute(_SESSION_TOUCH, values)
        return True
