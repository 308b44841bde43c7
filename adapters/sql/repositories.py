"""Repositories over one `AsyncSession` with Core statements; the unit of work owns the transaction.

Every write that decides something under concurrency is a single conditional statement whose
row count (or `RETURNING` list) is the answer, so SQLite and PostgreSQL agree without relying on
isolation levels. Writes that may break a unique rule run inside a savepoint: the violation
surfaces at once as a domain error and the surrounding transaction stays usable.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Result, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql import mapping
from adapters.sql.errors import translated_errors
from adapters.sql.tables import one_time_tokens, outbox, refresh_tokens, sessions, users
from domain.model import (
    Email,
    MailMessage,
    OneTimeToken,
    Page,
    RefreshToken,
    Session,
    SessionId,
    TokenPurpose,
    User,
    UserId,
    Username,
)
from domain.ports.repositories import (
    OneTimeTokenRepository,
    Outbox,
    RefreshTokenRepository,
    SessionRepository,
    UserRepository,
)


async def _execute(session: AsyncSession, statement: Executable) -> Result[Any]:
    with translated_errors():
        return await session.execute(statement)


async def _rowcount(session: AsyncSession, statement: Executable) -> int:
    result = cast(CursorResult[Any], await _execute(session, statement))
    return result.rowcount


class SqlUserRepository(UserRepository):
    """Accounts in `users`; uniqueness ignoring case rests on the unique `*_normalized` columns."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        await self._write_checked(insert(users).values(mapping.user_to_row(user)))

    async def get(self, user_id: UserId) -> User | None:
        return await self._one(select(users).where(users.c.id == user_id))

    async def by_email(self, email: Email) -> User | None:
        return await self._one(select(users).where(users.c.email_normalized == email.normalized))

    async def by_username(self, username: Username) -> User | None:
        return await self._one(select(users).where(users.c.username_normalized == username.normalized))

    async def delete(self, user_id: UserId) -> None:
        # Sessions, refresh tokens and mailed tokens go with the row (ON DELETE CASCADE).
        await _execute(self._session, delete(users).where(users.c.id == user_id))

    async def search(self, query: str | None, page: Page) -> tuple[list[User], int]:
        conditions = []
        if query is not None:
            # The normalised columns hold `str.lower()` of the values, so lowering the query in
            # Python compares the same way on every database; `autoescape` makes `%`, `_` and the
            # escape character itself match literally.
            needle = query.lower()
            conditions.append(
                or_(
                    users.c.email_normalized.contains(needle, autoescape=True),
                    users.c.username_normalized.contains(needle, autoescape=True),
                )
            )
        rows_statement = (
            select(users)
            .where(*conditions)
            .order_by(users.c.created_at, users.c.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        rows = (await _execute(self._session, rows_statement)).mappings().all()
        total = (await _execute(self._session, select(func.count()).select_from(users).where(*conditions))).scalar_one()
        return [mapping.user_from_row(row) for row in rows], total

    async def update(self, user: User) -> None:
        values = mapping.user_to_row(user)
        del values["id"]
        await self._write_checked(update(users).where(users.c.id == user.id).values(values))

    async def _one(self, statement: Executable) -> User | None:
        row = (await _execute(self._session, statement)).mappings().one_or_none()
        return mapping.user_from_row(row) if row is not None else None

    async def _write_checked(self, statement: Executable) -> None:
        with translated_errors():
            async with self._session.begin_nested():
                await self._session.execute(statement)


class SqlSessionRepository(SessionRepository):
    """Sessions in `sessions`; revocation only ever sets a `revoked_at` that is still NULL."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: Session) -> None:
        await _execute(self._session, insert(sessions).values(mapping.session_to_row(session)))

    async def get(self, session_id: SessionId) -> Session | None:
        result = await _execute(self._session, select(sessions).where(sessions.c.id == session_id))
        row = result.mappings().one_or_none()
        return mapping.session_from_row(row) if row is not None else None

    async def active_for_user(self, user_id: UserId, now: datetime) -> list[Session]:
        statement = (
            select(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None), sessions.c.expires_at > now)
            .order_by(sessions.c.created_at.desc(), sessions.c.id.desc())
        )
        result = await _execute(self._session, statement)
        return [mapping.session_from_row(row) for row in result.mappings()]

    async def touch(self, session_id: SessionId, now: datetime, expires_at: datetime) -> None:
        statement = update(sessions).where(sessions.c.id == session_id).values(last_used_at=now, expires_at=expires_at)
        await _execute(self._session, statement)

    async def revoke(self, session_id: SessionId, now: datetime) -> bool:
        statement = (
            update(sessions).where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None)).values(revoked_at=now)
        )
        return await _rowcount(self._session, statement) == 1

    async def revoke_all_for_user(
        self, user_id: UserId, now: datetime, *, keep: SessionId | None = None
    ) -> list[SessionId]:
        statement = (
            update(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None), sessions.c.id != (keep or ""))
            .values(revoked_at=now)
            .returning(sessions.c.id)
        )
        result = await _execute(self._session, statement)
        return sorted(SessionId(session_id) for session_id in result.scalars())

    async def revoked_since(self, since: datetime) -> list[SessionId]:
        statement = select(sessions.c.id).where(sessions.c.revoked_at >= since)
        result = await _execute(self._session, statement)
        return sorted(SessionId(session_id) for session_id in result.scalars())


class SqlRefreshTokenRepository(RefreshTokenRepository):
    """Refresh tokens in `refresh_tokens`, keyed by hash; `mark_used` is one conditional UPDATE."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: RefreshToken) -> None:
        # INSERT ... ON CONFLICT DO NOTHING: a duplicate hash is ignored without aborting the transaction.
        dialect_insert = postgresql.insert if self._session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = (
            dialect_insert(refresh_tokens)
            .values(mapping.refresh_token_to_row(token))
            .on_conflict_do_nothing(index_elements=[refresh_tokens.c.token_hash])
        )
        await _execute(self._session, statement)

    async def get(self, token_hash: str) -> RefreshToken | None:
        result = await _execute(self._session, select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash))
        row = result.mappings().one_or_none()
        return mapping.refresh_token_from_row(row) if row is not None else None

    async def mark_used(self, token_hash: str, now: datetime) -> bool:
        statement = (
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        return await _rowcount(self._session, statement) == 1


class SqlOneTimeTokenRepository(OneTimeTokenRepository):
    """Single-use tokens in `one_time_tokens`, keyed by hash and deleted with their user; `use` is one
    conditional UPDATE whose row count decides, so exactly one concurrent caller wins."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: OneTimeToken) -> None:
        await _execute(self._session, insert(one_time_tokens).values(mapping.one_time_token_to_row(token)))

    async def get(self, token_hash: str) -> OneTimeToken | None:
        statement = select(one_time_tokens).where(one_time_tokens.c.token_hash == token_hash)
        row = (await _execute(self._session, statement)).mappings().one_or_none()
        return mapping.one_time_token_from_row(row) if row is not None else None

    async def use(self, token_hash: str, purpose: TokenPurpose, now: datetime) -> bool:
        statement = (
            update(one_time_tokens)
            .where(
                one_time_tokens.c.token_hash == token_hash,
                one_time_tokens.c.purpose == purpose.value,
                one_time_tokens.c.used_at.is_(None),
                one_time_tokens.c.expires_at > now,
            )
            .values(used_at=now)
        )
        return await _rowcount(self._session, statement) == 1

    async def invalidate_for_user(self, user_id: UserId, purpose: TokenPurpose, now: datetime) -> int:
        statement = (
            update(one_time_tokens)
            .where(
                one_time_tokens.c.user_id == user_id,
                one_time_tokens.c.purpose == purpose.value,
                one_time_tokens.c.used_at.is_(None),
            )
            .values(used_at=now)
        )
        return await _rowcount(self._session, statement)


class SqlOutbox(Outbox):
    """Messages inserted into `outbox` in the unit of work's transaction, under a new uuid4 id;
    `SqlOutboxQueue` delivers them once committed."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: MailMessage, now: datetime) -> str:
        entry_id = str(uuid.uuid4())
        await _execute(self._session, insert(outbox).values(mapping.outbox_message_to_row(entry_id, message, now)))
        return entry_id
