"""Contract of the webhooks a unit of work queues with the audit events it commits, and of their
claims from the outbox, on every backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from application.unit_of_work import UnitOfWork
from domain.audit import AuditEvent, AuditEventType
from domain.mail import OutboxEntry, OutboxKind
from domain.ports.mail import OutboxQueue
from domain.webhooks import WebhookMessage, WebhookSubscription, webhook_payload
from tests.backends import Storage
from tests.builders import NOW, a_mail_message, an_audit_event

URL = "https://receiver.example/hooks"
LEASE = timedelta(minutes=5)
LATER = NOW + timedelta(days=1)
EVERY_EVENT = WebhookSubscription(url=URL)

WebhookUow = Callable[[WebhookSubscription], UnitOfWork]


@pytest.fixture
def webhook_uow(storage: Storage) -> WebhookUow:
    return storage.new_webhook_uow


async def _committed(uow: UnitOfWork, *events: AuditEvent, commit: bool = True) -> None:
    async with uow as tx:
        for event in events:
            await tx.audit.add(event)
        if commit:
            await tx.commit()


async def _claim(queue: OutboxQueue, kind: OutboxKind = OutboxKind.WEBHOOK) -> list[OutboxEntry]:
    return await queue.claim(LATER, limit=100, lease=LEASE, kind=kind)


async def test_a_committed_audit_event_is_queued_as_its_webhook(
    webhook_uow: WebhookUow, outbox_queue: OutboxQueue
) -> None:
    event = an_audit_event(data={"session_id": "s-1", "new_device": True})
    await _committed(webhook_uow(EVERY_EVENT), event)

    assert await _claim(outbox_queue) == [
        OutboxEntry(
            id=event.id,
            message=WebhookMessage(url=URL, id=event.id, type="login.succeeded", body=webhook_payload(event)),
            created_at=NOW,
            attempts=0,
            next_attempt_at=NOW,
        )
    ]


async def test_an_audit_event_rolled_back_queues_no_webhook(webhook_uow: WebhookUow, outbox_queue: OutboxQueue) -> None:
    await _committed(webhook_uow(EVERY_EVENT), an_audit_event(), commit=False)

    assert await _claim(outbox_queue) == []


async def test_only_the_subscribed_types_are_queued(webhook_uow: WebhookUow, outbox_queue: OutboxQueue) -> None:
    wanted = an_audit_event(type=AuditEventType.USER_DELETED)
    subscription = WebhookSubscription(url=URL, types=frozenset({AuditEventType.USER_DELETED}))
    await _committed(webhook_uow(subscription), an_audit_event(), wanted, an_audit_event())

    assert [entry.id for entry in await _claim(outbox_queue)] == [wanted.id]


async def test_a_unit_of_work_without_subscription_queues_no_webhook(
    uow: UnitOfWork, outbox_queue: OutboxQueue
) -> None:
    await _committed(uow, an_audit_event())

    assert await _claim(outbox_queue) == []


async def test_mail_and_webhooks_are_claimed_apart(webhook_uow: WebhookUow, outbox_queue: OutboxQueue) -> None:
    event = an_audit_event()
    uow = webhook_uow(EVERY_EVENT)
    async with uow as tx:
        mail_id = await tx.outbox.add(a_mail_message(), NOW)
        await tx.audit.add(event)
        await tx.commit()

    assert [entry.id for entry in await _claim(outbox_queue, OutboxKind.MAIL)] == [mail_id]
    assert [entry.id for entry in await _claim(outbox_queue, OutboxKind.WEBHOOK)] == [event.id]


async def test_a_retried_webhook_keeps_its_id_and_body(webhook_uow: WebhookUow, outbox_queue: OutboxQueue) -> None:
    event = an_audit_event()
    await _committed(webhook_uow(EVERY_EVENT), event)
    [first] = await _claim(outbox_queue)
    await outbox_queue.retry_later(first.id, next_attempt_at=NOW + timedelta(minutes=1))

    [again] = await _claim(outbox_queue)

    assert (again.id, again.message, again.attempts) == (event.id, first.message, 1)


async def test_a_sent_webhook_is_not_claimed_again(webhook_uow: WebhookUow, outbox_queue: OutboxQueue) -> None:
    await _committed(webhook_uow(EVERY_EVENT), an_audit_event(), an_audit_event())
    first, second = await _claim(outbox_queue)
    await outbox_queue.mark_sent(first.id, LATER)
    await outbox_queue.give_up(second.id, LATER)

    assert await outbox_queue.claim(LATER + LEASE, limit=100, lease=LEASE, kind=OutboxKind.WEBHOOK) == []


async def test_only_settled_webhooks_older_than_the_limit_are_purged(
    webhook_uow: WebhookUow, outbox_queue: OutboxQueue
) -> None:
    sent, given_up, pending, recent = (an_audit_event() for _ in range(4))
    uow = webhook_uow(EVERY_EVENT)
    await _committed(uow, sent, given_up, pending)
    async with uow as tx:
        mail_id = await tx.outbox.add(a_mail_message(), NOW)
        await tx.commit()
    await outbox_queue.mark_sent(sent.id, LATER)
    await outbox_queue.give_up(given_up.id, LATER)
    await outbox_queue.mark_sent(mail_id, LATER)
    await _committed(uow, replace(recent, created_at=LATER))
    await outbox_queue.mark_sent(recent.id, LATER)

    async with uow as tx:
        assert await tx.outbox.purge_webhooks(NOW + timedelta(hours=1)) == 2
        await tx.commit()
    async with uow as tx:
        assert await tx.outbox.purge_webhooks(NOW + timedelta(hours=1)) == 0

    assert [entry.id for entry in await _claim(outbox_queue)] == [pending.id]
