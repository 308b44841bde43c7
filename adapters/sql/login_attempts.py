"""SqlLoginAttemptCounter: the lockout's login attempts in the `login_attempts` table."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from adapters.sql.errors import translated_errors
from adapters.sql.tables import login_attempts
from domain.model import AttemptDecision
from domain.ports.throttling import LoginAttemptCounter

KEY_MAX_LENGTH = 320


def _stored_key(key: str) -> str:
    # Identifiers are user input of any length; a digest keeps an over-long one within the column.
    if len(key) <= KEY_MAX_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _count_attempt(
    dialect: str, key: str, *, max_failures: int, now: datetime, expires_at: datetime
) -> ReturningInsert[int]:
    """Insert a first attempt, or count one more on a live row below the limit, or restart an
    expired row; a live row at the limit is left alone, and then no row is returned."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    expired: ColumnElement[bool] = login_attempts.c.expires_at <= now
    return (
        insert(login_attempts)
        .values(key=key, attempts=1, expires_at=expires_at)
        .on_conflict_do_update(
            index_elements=[login_attempts.c.key],
            set_={
                "attempts": case((expired, 1), else_=login_attempts.c.attempts + 1),
                "expires_at": expires_at,
            },
            where=or_(expired, login_attempts.c.attempts < max_failures),
        )
        .returning(login_attempts.c.attempts)
    )


class SqlLoginAttemptCounter(LoginAttemptCounter):
    """Counts in `login_attempts` (key, attempts, expires_at), shared by every worker on the database.

    Each call runs its own short transaction from the session factory, outside any unit of work.
    `begin` is one `INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE ... RETURNING` statement: the
    database takes the row's lock for the check and the increment together, so concurrent attempts
    queue on the row (PostgreSQL) or on the write lock (SQLite's `BEGIN IMMEDIATE`) and none slips
    past the limit. When the row is at the limit nothing is written and nothing returned; its expiry
    is then read in the same transaction, under the lock the upsert took. Keys longer than 320
    characters are stored as `sha256:<hex digest>`. Expired rows stay until their key is counted
    again or succeeds; they cost a row each and decide nothing.

    Connection failures raise `DependencyUnavailableError("database")`.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def begin(self, key: str, *, max_failures: int, lockout: timedelta, now: datetime) -> AttemptDecision:
        if max_failures < 1 or lockout <= timedelta(0):
            raise ValueError("a lockout needs at least one allowed attempt and a positive duration")
        stored_key = _stored_key(key)
        with translated_errors():
            async with self._session_factory() as session, session.begin():
                dialect = (await session.connection()).dialect.name
                statement = _count_attempt(
                    dialect, stored_key, max_failures=max_failures, now=now, expires_at=now + lockout
                )
                attempts = (await session.execute(statement)).scalar_one_or_none()
                if attempts is not None:
                    return AttemptDecision(allowed=True, attempts=attempts)
                locked = await session.execute(
                    select(login_attempts.c.attempts, login_attempts.c.expires_at).where(
                        login_attempts.c.key == stored_key
                    )
                )
                stored_attempts, expires_at = locked.one()
        return AttemptDecision(allowed=False, attempts=stored_attempts, retry_after=max(expires_at - now, timedelta(0)))

    async def succeed(self, key: str) -> None:
        with translated_errors():
            async with self._session_factory() as session, session.begin():
                await session.execute(delete(login_attempts).where(login_attempts.c.key == _stored_key(key)))
