"""PurgeAudit keeps the retention period and nothing older; without a period it keeps everything."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory.clock import FrozenClock
from adapters.memory.outbox_queue import MemoryOutboxQueue
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryUnitOfWork
from application.ops.purge_audit import PurgeAuditHandler
from domain.webhooks import WebhookSubscription
from tests.backends import RecordingPublisher
from tests.builders import NOW, an_audit_event

YEAR = timedelta(days=365)


async def _store_with_events() -> MemoryStore:
    store = MemoryStore()
    async with MemoryUnitOfWork(store, RecordingPublisher()) as uow:
        for age in (timedelta(days=500), YEAR + timedelta(seconds=1), YEAR, timedelta(0)):
            await uow.audit.add(an_audit_event(created_at=NOW - age))
        await uow.commit()
    return store


async def test_events_older_than_the_retention_period_are_purged() -> None:
    store = await _store_with_events()
    handler = PurgeAuditHandler(MemoryUnitOfWork(store, RecordingPublisher()), FrozenClock(NOW), YEAR)

    assert await handler.handle() == 2
    assert sorted(event.created_at for event in store.audit_events.values()) == [NOW - YEAR, NOW]
    assert await handler.handle() == 0


async def test_without_a_retention_period_nothing_is_purged() -> None:
    store = await _store_with_events()
    handler = PurgeAuditHandler(MemoryUnitOfWork(store, RecordingPublisher()), FrozenClock(NOW), None)

    assert await handler.handle() == 0
    assert len(store.audit_events) == 4


async def test_the_sent_webhooks_of_purged_events_go_with_them() -> None:
    store = MemoryStore()
    webhooks = WebhookSubscription(url="https://r.example/")
    async with MemoryUnitOfWork(store, RecordingPublisher(), webhooks) as uow:
        for age in (timedelta(days=500), timedelta(0)):
            await uow.audit.add(an_audit_event(created_at=NOW - age))
        await uow.commit()
    queue = MemoryOutboxQueue(store)
    for entry_id in list(store.outbox):
        await queue.mark_sent(entry_id, NOW)

    await PurgeAuditHandler(MemoryUnitOfWork(store, RecordingPublisher()), FrozenClock(NOW), YEAR).handle()

    assert [record.created_at for record in store.outbox.values()] == [NOW]
