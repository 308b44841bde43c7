"""Repositories over one transaction's `SqlConnection`; the unit of work owns the transaction.

Statements are SQLAlchemy Core with named parameters, built once at import and compiled once per
dialect (`adapters.sql.driver.Statement`). Every write that decides something under concurrency is
a single conditional statement whose row count (or `RETURNING` list) is the answer, so SQLite and
PostgreSQL agree without relying on isolation levels. Writes that may break a unique rule run
inside a savepoint: the violation surfaces at once as a domain error and the surrounding
transaction stays usable.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.schema import Table

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.tables import UtcDateTime, one_time_tokens, outbox, refresh_tokens, sessions, users
from domain.account_values import Email, Username
from domain.accounts import User
from domain.ids import SessionId, UserId
from domain.mail import MailMessage
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.paging import Page
from domain.ports.repositories import (
    OneTimeTokenRepository,
    Outbox,
    RefreshTokenLookup,
    RefreshTokenRepository,
    SessionRepository,
    UserRepository,
)
from domain.sessions import RefreshToken, Session

NOW = bindparam("now", type_=UtcDateTime())
"""The `:now` parameter of the statements, shared so that one statement may use it more than once."""


def insert_all(table: Table, keys: Sequence[str] | None = None) -> Statement:
    """INSERT of a row, each column (all of them, or those of `keys`) from the parameter of its name."""
    return Statement(insert(table), column_keys=list(keys) if keys is not None else [c.key for c in table.columns])


def dialect_insert(dialect_name: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The INSERT of the dialect, for its `ON CONFLICT` clauses."""
    return postgresql.insert(table) if dialect_name == "postgresql" else sqlite.insert(table)


_USER_ADD = insert_all(users)
_USER_BY_ID = Statement(select(users).where(users.c.id == bindparam("user_id")))
_USER_BY_EMAIL = Statement(select(users).where(users.c.email_normalized == bindparam("email")))
_USER_BY_USERNAME = Statement(select(users).where(users.c.username_normalized == bindparam("username")))
_USER_DELETE = Statement(delete(users).where(users.c.id == bindparam("user_id")))
_USER_UPDATE = Statement(
    update(users).where(users.c.id == bindparam("user_id")),
    column_keys=[column.key for column in users.columns if column.key != "id"],
)
_USER_SEARCH: dict[bool, tuple[Statement, Statement]] = {}
_LIKE_ESCAPE = "/"


def _like_escaped(text: str) -> str:
    """`text` as a LIKE pattern that matches it literally, with `_LIKE_ESCAPE` as the escape character."""
    for special in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, _LIKE_ESCAPE + special)
    return text


def _user_search(with_query: bool) -> tuple[Statement, Statement]:
    statements = _USER_SEARCH.get(with_query)
    if statements is None:
        conditions = []
        if with_query:
            # The normalised columns hold `str.lower()` of the values, so lowering the query in
            # Python compares the same way on every database; `_like_escaped` makes `%`, `_` and
            # the escape character itself match literally.
            needle = bindparam("needle", type_=String())
            conditions.append(
                or_(
                    users.c.email_normalized.contains(needle, escape=_LIKE_ESCAPE),
                    users.c.username_normalized.contains(needle, escape=_LIKE_ESCAPE),
                )
            )
        rows = (
            select(users)
            .where(*conditions)
            .order_by(users.c.created_at, users.c.id)
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
        total = select(func.count().label("total")).select_from(users).where(*conditions)
        statements = _USER_SEARCH[with_query] = (Statement(rows), Statement(total))
    return statements


class SqlUserRepository(UserRepository):
    """Accounts in `users`; uniqueness ignoring case rests on the unique `*_normalized` columns."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, user: User) -> None:
        await self._connection.execute_checked(_USER_ADD, mapping.user_to_row(user))

    async def get(self, user_id: UserId) -> User | None:
        return await self._one(_USER_BY_ID, {"user_id": user_id})

    async def by_email(self, email: Email) -> User | None:
        return await self._one(_USER_BY_EMAIL, {"email": email.normalized})

    async def by_username(self, username: Username) -> User | None:
        return await self._one(_USER_BY_USERNAME, {"username": username.normalized})

    async def delete(self, user_id: UserId) -> None:
        # Sessions, refresh tokens and mailed tokens go with the row (ON DELETE CASCADE).
        await self._connection.execute(_USER_DELETE, {"user_id": user_id})

    async def search(self, query: str | None, page: Page) -> tuple[list[User], int]:
        rows_statement, total_statement = _user_search(query is not None)
        values: dict[str, object] = {"limit": page.limit, "offset": page.offset}
        if query is not None:
            values["needle"] = _like_escaped(query.lower())
        rows = await self._connection.fetch(rows_statement, values)
        total = await self._connection.fetch_one(total_statement, values)
        return [mapping.user_from_row(row) for row in rows], int(total["total"]) if total else 0

    async def update(self, user: User) -> None:
        values = mapping.user_to_row(user)
        values["user_id"] = values.pop("id")
        await self._connection.execute_checked(_USER_UPDATE, values)

    async def _one(self, statement: Statement, values: dict[str, object]) -> User | None:
        row = await self._connection.fetch_one(statement, values)
        return mapping.user_from_row(row) if row is not None else None


_SESSION_ADD = insert_all(sessions)
_SESSION_BY_ID = Statement(select(sessions).where(sessions.c.id == bindparam("session_id")))
_SESSIONS_ACTIVE = Statement(
    select(sessions)
    .where(
        sessions.c.user_id == bindparam("user_id"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > NOW,
    )
    .order_by(sessions.c.created_at.desc(), sessions.c.id.desc())
)
_SESSION_TOUCH = Statement(
    update(sessions)
    .where(sessions.c.id == bindparam("session_id"))
    .values(last_used_at=NOW, expires_at=bindparam("successor_expires_at", type_=UtcDateTime()))
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


_ONE_TIME_TOKEN_ADD = insert_all(one_time_tokens)
_ONE_TIME_TOKEN_BY_HASH = Statement(select(one_time_tokens).where(one_time_tokens.c.token_hash == bindparam("hash")))
_ONE_TIME_TOKEN_USE = Statement(
    update(one_time_tokens)
    .where(
        one_time_tokens.c.token_hash == bindparam("hash"),
        one_time_tokens.c.purpose == bindparam("purpose"),
        one_time_tokens.c.used_at.is_(None),
        one_time_tokens.c.expires_at > NOW,
    )
    .values(used_at=NOW)
)
_ONE_TIME_TOKENS_INVALIDATE = Statement(
    update(one_time_tokens)
    .where(
        one_time_tokens.c.user_id == bindparam("user_id"),
        one_time_tokens.c.purpose == bindparam("purpose"),
        one_time_tokens.c.used_at.is_(None),
    )
    .values(used_at=NOW)
)


class SqlOneTimeTokenRepository(OneTimeTokenRepository):
    """Single-use tokens in `one_time_tokens`, keyed by hash and deleted with their user; `use` is one
    conditional UPDATE whose row count decides, so exactly one concurrent caller wins."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, token: OneTimeToken) -> None:
        await self._connection.execute(_ONE_TIME_TOKEN_ADD, mapping.one_time_token_to_row(token))

    async def get(self, token_hash: str) -> OneTimeToken | None:
        row = await self._connection.fetch_one(_ONE_TIME_TOKEN_BY_HASH, {"hash": token_hash})
        return mapping.one_time_token_from_row(row) if row is not None else None

    async def use(self, token_hash: str, purpose: TokenPurpose, now: datetime) -> bool:
        values = {"hash": token_hash, "purpose": purpose.value, "now": now}
        return await self._connection.execute(_ONE_TIME_TOKEN_USE, values) == 1

    async def invalidate_for_user(self, user_id: UserId, purpose: TokenPurpose, now: datetime) -> int:
        values = {"user_id": user_id, "purpose": purpose.value, "now": now}
        return await self._connection.execute(_ONE_TIME_TOKENS_INVALIDATE, values)


_OUTBOX_ADD = insert_all(
    outbox, ["id", "recipient", "subject", "body_text", "body_html", "created_at", "attempts", "next_attempt_at"]
)


class SqlOutbox(Outbox):
    """Messages inserted into `outbox` in the unit of work's transaction, under a new uuid4 id;
    `SqlOutboxQueue` delivers them once committed."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, message: MailMessage, now: datetime) -> str:
        entry_id = str(uuid.uuid4())
        await self._connection.execute(_OUTBOX_ADD, mapping.outbox_message_to_row(entry_id, message, now))
        return entry_id
