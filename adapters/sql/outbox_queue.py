"""SqlOutboxQueue: delivery workers' side of the `outbox` table."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Update, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.sql import mapping
from adapters.sql.errors import translated_errors
from adapters.sql.tables import outbox
from domain.model import OutboxEntry
from domain.ports.mail import OutboxQueue

_PENDING: ColumnElement[bool] = outbox.c.sent_at.is_(None) & outbox.c.failed_at.is_(None)


def _claim(now: datetime, limit: int, lease: timedelta) -> Update:
    due = (
        select(outbox.c.id)
        .where(
            _PENDING,
            outbox.c.next_attempt_at <= now,
            or_(outbox.c.leased_until.is_(None), outbox.c.leased_until <= now),
        )
        .order_by(outbox.c.created_at, outbox.c.id)
        .limit(limit)
        # PostgreSQL: rows another claim has locked are skipped, not waited for, and a row whose
        # lease was taken meanwhile is re-checked against the WHERE clause after the lock (READ
        # COMMITTED), so no two claims take one row. SQLite renders no FOR UPDATE at all; there
        # the engine's BEGIN IMMEDIATE already makes each claim the only writer.
        .with_for_update(skip_locked=True)
    )
    return update(outbox).where(outbox.c.id.in_(due)).values(leased_until=now + lease).returning(*outbox.c)


class SqlOutboxQueue(OutboxQueue):
    """Claims, and settles, `outbox` rows for delivery workers in any number of processes.

    Each call runs its own short transaction from the session factory, outside any unit of work, so
    never call it while holding a unit of work open on SQLite: both want the single write lock.
    `claim` is one `UPDATE outbox SET leased_until = :now + :lease WHERE id IN (SELECT id ... ORDER
    BY created_at, id LIMIT :n FOR UPDATE SKIP LOCKED) RETURNING ...`: on PostgreSQL concurrent
    claims lock disjoint rows, on SQLite they take turns on the write lock. A lease is nothing but
    `leased_until`: a worker that dies leaves its entries to be claimed again once it passes.
    `mark_sent`, `retry_later` and `give_up` change only pending entries (neither sent nor given
    up), so a late report from a worker whose lease ran out cannot reopen a settled one.

    Connection failures raise `DependencyUnavailableError("database")`.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def claim(self, now: datetime, *, limit: int, lease: timedelta) -> list[OutboxEntry]:
        if limit < 1 or lease <= timedelta(0):
            # SQLite would read a negative LIMIT as "no limit".
            raise ValueError("a claim needs a positive limit and a positive lease")
        with translated_errors():
            async with self._session_factory() as session, session.begin():
                rows = (await session.execute(_claim(now, limit, lease))).mappings().all()
                entries = [mapping.outbox_entry_from_row(row) for row in rows]
        # RETURNING gives no order.
        return sorted(entries, key=lambda entry: (entry.created_at, entry.id))

    async def mark_sent(self, entry_id: str, now: datetime) -> None:
        await self._settle(entry_id, sent_at=now, leased_until=None)

    async def retry_later(self, entry_id: str, *, next_attempt_at: datetime) -> None:
        await self._settle(entry_id, attempts=outbox.c.attempts + 1, next_attempt_at=next_attempt_at, leased_until=None)

    async def give_up(self, entry_id: str, now: datetime) -> None:
        await self._settle(entry_id, failed_at=now, leased_until=None)

    async def _settle(self, entry_id: str, **values: Any) -> None:
        statement = update(outbox).where(outbox.c.id == entry_id, _PENDING).values(**values)
        with translated_errors():
            async with self._session_factory() as session, session.begin():
                await session.execute(statement)
