"""MemoryOutboxQueue: delivery workers' side of a MemoryStore's outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from adapters.memory.store import MemoryStore, OutboxRecord
from domain.mail import OutboxEntry, OutboxKind, kind_of
from domain.ports.mail import OutboxQueue


def _pending(record: OutboxRecord) -> bool:
    return record.sent_at is None and record.failed_at is None


def _claimable(record: OutboxRecord, now: datetime, kind: OutboxKind) -> bool:
    lease_free = record.leased_until is None or record.leased_until <= now
    return _pending(record) and kind_of(record.message) == kind and record.next_attempt_at <= now and lease_free


def _entry(record: OutboxRecord) -> OutboxEntry:
    return OutboxEntry(
        id=record.id,
        message=record.message,
        created_at=record.created_at,
        attempts=record.attempts,
        next_attempt_at=record.next_attempt_at,
        sent_at=record.sent_at,
    )


class MemoryOutboxQueue(OutboxQueue):
    """Claims and settles the committed outbox records of a MemoryStore, in this process only.

    Every call holds the store's lock, so it runs between memory units of work, never inside one:
    calling it from within an open block of the same store waits forever. Like `SqlOutboxQueue`,
    `mark_sent`, `retry_later` and `give_up` change only pending records (neither sent nor given up);
    `mark_sent` and `give_up` drop the body.
    """

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def claim(
        self, now: datetime, *, limit: int, lease: timedelta, kind: OutboxKind = OutboxKind.MAIL
    ) -> list[OutboxEntry]:
        if limit < 1 or lease <= timedelta(0):
            raise ValueError("a claim needs a positive limit and a positive lease")
        async with self._store.lock:
            due = sorted(
                (record for record in self._store.outbox.values() if _claimable(record, now, kind)),
                key=lambda record: (record.created_at, record.id),
            )[:limit]
            for record in due:
                record.leased_until = now + lease
            return [_entry(record) for record in due]

    async def mark_sent(self, entry_id: str, now: datetime) -> None:
        async with self._store.lock:
            record = self._store.outbox.get(entry_id)
            if record is not None and _pending(record):
                record.sent_at = now
                record.leased_until = None
                record.message = record.message.without_body()

    async def retry_later(self, entry_id: str, *, next_attempt_at: datetime) -> None:
        async with self._store.lock:
            record = self._store.outbox.get(entry_id)
            if record is not None and _pending(record):
                record.attempts += 1
                record.next_attempt_at = next_attempt_at
                record.leased_until = None

    async def give_up(self, entry_id: str, now: datetime) -> None:
        async with self._store.lock:
            record = self._store.outbox.get(entry_id)
            if record is not None and _pending(record):
                record.failed_at = now
                record.leased_until = None
                record.message = record.message.without_body()

    async def backlog(self) -> int:
        async with self._store.lock:
            return sum(1 for record in self._store.outbox.values() if _pending(record))
