"""SqlOutboxQueue: delivery workers' side of the `outbox` table."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Update, bindparam, func, or_, select, update

from adapters.sql import mapping
from adapters.sql.driver import Database, Statement
from adapters.sql.statement_parts import NOW
from adapters.sql.tables import UtcDateTime, outbox
from domain.mail import OutboxEntry, OutboxKind
from domain.ports.mail import OutboxQueue

_PENDING: ColumnElement[bool] = outbox.c.sent_at.is_(None) & outbox.c.failed_at.is_(None)


def _claim() -> Update:
    due = (
        select(outbox.c.id)
        .where(
            _PENDING,
            outbox.c.kind == bindparam("kind"),
            outbox.c.next_attempt_at <= NOW,
            or_(outbox.c.leased_until.is_(None), outbox.c.leased_until <= NOW),
        )
        .order_by(outbox.c.created_at, outbox.c.id)
        .limit(bindparam("limit"))
        # PostgreSQL: rows another claim has locked are skipped, not waited for, and a row whose
        # lease was taken meanwhile is re-checked against the WHERE clause after the lock (READ
        # COMMITTED), so no two claims take one row. SQLite renders no FOR UPDATE at all; there
        # the transaction's BEGIN IMMEDIATE already makes each claim the only writer.
        .with_for_update(skip_locked=True)
    )
    lease_end = bindparam("lease_end", type_=UtcDateTime())
    return update(outbox).where(outbox.c.id.in_(due)).values(leased_until=lease_end).returning(*outbox.c)


def _settle(**values: object) -> Statement:
    return Statement(update(outbox).where(outbox.c.id == bindparam("entry_id"), _PENDING).values(**values))


_CLAIM = Statement(_claim())
# Once sent or given up, the body goes: only who, what about and when stay on record.
_NO_BODY = {"body_text": "", "body_html": None, "sealed_token": None}
_MARK_SENT = _settle(sent_at=NOW, leased_until=None, **_NO_BODY)
_RETRY_LATER = _settle(
    attempts=outbox.c.attempts + 1,
    next_attempt_at=bindparam("next_attempt_at", type_=UtcDateTime()),
    leased_until=None,
)
_GIVE_UP = _settle(failed_at=NOW, leased_until=None, **_NO_BODY)
# Counted over the partial index of pending rows.
_BACKLOG = Statement(select(func.count().label("pending")).select_from(outbox).where(_PENDING))


class SqlOutboxQueue(OutboxQueue):
    """Claims, and settles, `outbox` rows for delivery workers in any number of processes.

    Each call runs its own short transaction on the database, outside any unit of work, so
    never call it while holding a unit of work open on SQLite: both want the single write lock.
    `claim` is one `UPDATE outbox SET leased_until = :now + :lease WHERE id IN (SELECT id ... WHERE
    kind = :kind ... ORDER BY created_at, id LIMIT :n FOR UPDATE SKIP LOCKED) RETURNING ...`: on PostgreSQL concurrent
    claims lock disjoint rows, on SQLite they take turns on the write lock. A lease is nothing but
    `leased_until`: a worker that dies leaves its entries to be claimed again once it passes.
    `mark_sent`, `retry_later` and `give_up` change only pending entries (neither sent nor given
    up), so a late report from a worker whose lease ran out cannot reopen a settled one.
    `mark_sent` and `give_up` also drop the body (and the sealed token): no mail text or webhook
    payload outlives its delivery.

    Connection failures raise `DependencyUnavailableError("database")`.
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    async def claim(
        self, now: datetime, *, limit: int, lease: timedelta, kind: OutboxKind = OutboxKind.MAIL
    ) -> list[OutboxEntry]:
        if limit < 1 or lease <= timedelta(0):
            # SQLite would read a negative LIMIT as "no limit".
            raise ValueError("a claim needs a positive limit and a positive lease")
        values = {"now": now, "limit": limit, "lease_end": now + lease, "kind": kind.value}
        async with self._database.transaction() as transaction:
            rows = await transaction.connection.fetch(_CLAIM, values)
            await transaction.commit()
        entries = [mapping.outbox_entry_from_row(row) for row in rows]
        # RETURNING gives no order.
        return sorted(entries, key=lambda entry: (entry.created_at, entry.id))

    async def mark_sent(self, entry_id: str, now: datetime) -> None:
        await self._run(_MARK_SENT, {"entry_id": entry_id, "now": now})

    async def retry_later(self, entry_id: str, *, next_attempt_at: datetime) -> None:
        await self._run(_RETRY_LATER, {"entry_id": entry_id, "next_attempt_at": next_attempt_at})

    async def give_up(self, entry_id: str, now: datetime) -> None:
        await self._run(_GIVE_UP, {"entry_id": entry_id, "now": now})

    async def backlog(self) -> int:
        async with self._database.transaction(read_only=True) as transaction:
            row = await transaction.connection.fetch_one(_BACKLOG)
        return int(row["pending"]) if row is not None else 0

    async def _run(self, statement: Statement, values: dict[str, object]) -> None:
        async with self._database.transaction() as transaction:
            await transaction.connection.execute(statement, values)
            await transaction.commit()
