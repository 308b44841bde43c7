"""SqlLoginAttemptCounter: the lockout's login attempts in the `login_attempts` table."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, case, delete, or_, select, update
from sqlalchemy.sql.elements import ClauseElement

from adapters.sql.driver import Database, Statement
from adapters.sql.statement_parts import NOW, dialect_insert
from adapters.sql.tables import UtcDateTime, login_attempts
from domain.ports.throttling import LoginAttemptCounter
from domain.throttling import AttemptDecision

KEY_MAX_LENGTH = 320


def _stored_key(key: str) -> str:
    # Identifiers are user input of any length; a digest keeps an over-long one within the column.
    if len(key) <= KEY_MAX_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _count_attempt(dialect_name: str) -> ClauseElement:
    """Insert a first attempt, or count one more on a live row below the limit, or restart an
    expired row; a live row at the limit is left alone, and then no row is returned."""
    expired: ColumnElement[bool] = login_attempts.c.expires_at <= NOW
    expires_at = bindparam("expires_at", type_=UtcDateTime())
    return (
        dialect_insert(dialect_name, login_attempts)
        .values(key=bindparam("key"), attempts=1, expires_at=expires_at)
        .on_conflict_do_update(
            index_elements=[login_attempts.c.key],
            set_={"attempts": case((expired, 1), else_=login_attempts.c.attempts + 1), "expires_at": expires_at},
            where=or_(expired, login_attempts.c.attempts < bindparam("max_failures")),
        )
        .returning(login_attempts.c.attempts)
    )


_COUNT = Statement(_count_attempt)
_READ = Statement(
    select(login_attempts.c.attempts, login_attempts.c.expires_at).where(login_attempts.c.key == bindparam("key"))
)
_RELEASE = Statement(
    update(login_attempts)
    .where(login_attempts.c.key == bindparam("key"), login_attempts.c.attempts > 0, login_attempts.c.expires_at > NOW)
    .values(attempts=login_attempts.c.attempts - 1)
)
_DELETE = Statement(delete(login_attempts).where(login_attempts.c.key == bindparam("key")))


class SqlLoginAttemptCounter(LoginAttemptCounter):
    """Counts in `login_attempts` (key, attempts, expires_at), shared by every worker on the database.

    Each call runs its own short transaction on the database, outside any unit of work.
    `begin` is one `INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE ... RETURNING` statement: the
    database takes the row's lock for the check and the increment together, so concurrent attempts
    queue on the row (PostgreSQL) or on the write lock (SQLite's `BEGIN IMMEDIATE`) and none slips
    past the limit. When the row is at the limit nothing is written and nothing returned; its expiry
    is then read in the same transaction, under the lock the upsert took. Keys longer than 320
    characters are stored as `sha256:<hex digest>`. Expired rows stay until their key is counted
    again or succeeds; they cost a row each and decide nothing.

    Connection failures raise `DependencyUnavailableError("database")`.
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    async def begin(self, key: str, *, max_failures: int, lockout: timedelta, now: datetime) -> AttemptDecision:
        if max_failures < 1 or lockout <= timedelta(0):
            raise ValueError("a lockout needs at least one allowed attempt and a positive duration")
        stored_key = _stored_key(key)
        values = {"key": stored_key, "now": now, "expires_at": now + lockout, "max_failures": max_failures}
        async with self._database.transaction() as transaction:
            counted = await transaction.connection.fetch_one(_COUNT, values)
            if counted is not None:
                await transaction.commit()
                return AttemptDecision(allowed=True, attempts=counted["attempts"])
            locked = await transaction.connection.fetch_one(_READ, values)
            assert locked is not None  # the upsert found the row at its limit, under the lock it holds
            stored_attempts, expires_at = locked["attempts"], locked["expires_at"]
        return AttemptDecision(allowed=False, attempts=stored_attempts, retry_after=max(expires_at - now, timedelta(0)))

    async def release(self, key: str, *, now: datetime) -> None:
        async with self._database.transaction() as transaction:
            await transaction.connection.execute(_RELEASE, {"key": _stored_key(key), "now": now})
            await transaction.commit()

    async def succeed(self, key: str) -> None:
        async with self._database.transaction() as transaction:
            await transaction.connection.execute(_DELETE, {"key": _stored_key(key)})
            await transaction.commit()
