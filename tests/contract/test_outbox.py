"""Contract of Outbox (written in units of work) and OutboxQueue (delivered from outside them), on every
backend: one test per sentence of their docstrings."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from application.unit_of_work import UnitOfWork
from domain.mail import MailMessage, OutboxEntry
from domain.ports.mail import OutboxQueue
from tests.builders import NOW, a_mail_message

LEASE = timedelta(minutes=5)
MICROSECOND = timedelta(microseconds=1)
LATER = NOW + timedelta(days=365)


async def _queued(uow: UnitOfWork, *messages: MailMessage, at: datetime = NOW) -> list[str]:
    async with uow as tx:
        ids = [await tx.outbox.add(message, at) for message in messages]
        await tx.commit()
    return ids


async def _claim(queue: OutboxQueue, now: datetime, limit: int = 100) -> list[OutboxEntry]:
    return await queue.claim(now, limit=limit, lease=LEASE)


async def _claimed_ids(queue: OutboxQueue, now: datetime, limit: int = 100) -> list[str]:
    return [entry.id for entry in await _claim(queue, now, limit)]


async def test_a_message_added_without_commit_is_never_delivered(uow: UnitOfWork, outbox_queue: OutboxQueue) -> None:
    async with uow as tx:
        await tx.outbox.add(a_mail_message(), NOW)

    assert await _claim(outbox_queue, LATER) == []


async def test_a_committed_message_is_claimed_intact(uow: UnitOfWork, outbox_queue: OutboxQueue) -> None:
    plain = a_mail_message()
    rich = a_mail_message(html="<p>Open <a href='https://bastion.example/reset'>this link</a>.</p>")
    request = a_mail_message(subject="a request", composer="password_reset", sealed_token="c2VhbGVk")
    now = NOW + timedelta(microseconds=42)
    plain_id, rich_id, request_id = await _queued(uow, plain, rich, request, at=now)

    claimed = await _claim(outbox_queue, now)

    assert sorted(
        claimed, key=lambda entry: [plain.subject, rich.subject, request.subject].index(entry.message.subject)
    ) == [
        OutboxEntry(id=plain_id, message=plain, created_at=now, attempts=0, next_attempt_at=now),
        OutboxEntry(id=rich_id, message=rich, created_at=now, attempts=0, next_attempt_at=now),
        OutboxEntry(id=request_id, message=request, created_at=now, attempts=0, next_attempt_at=now),
    ]
    assert {entry.created_at.utcoffset() for entry in claimed} == {timedelta(0)}


async def test_each_added_message_gets_its_own_id(uow: UnitOfWork) -> None:
    message = a_mail_message()

    ids = await _queued(uow, message, message, message)

    assert len(set(ids)) == 3


async def test_claim_takes_at_most_limit_entries_oldest_first(uow: UnitOfWork, outbox_queue: OutboxQueue) -> None:
    ids_by_age: dict[int, str] = {}
    for minutes in (3, 0, 4, 1, 2):
        [ids_by_age[minutes]] = await _queued(uow, a_mail_message(), at=NOW + timedelta(minutes=minutes))
    oldest_first = [ids_by_age[minutes] for minutes in range(5)]

    assert await _claimed_ids(outbox_queue, NOW + timedelta(hours=1), limit=3) == oldest_first[:3]
    assert await _claimed_ids(outbox_queue, NOW + timedelta(hours=1), limit=3) == oldest_first[3:]


async def test_claim_takes_only_entries_due_at_now(uow: UnitOfWork, outbox_queue: OutboxQueue) -> None:
    [due] = await _queued(uow, a_mail_message(), at=NOW)
    [later] = await _queued(uow, a_mail_message(), at=NOW + timedelta(minutes=1))

    assert await _claimed_ids(outbox_queue, NOW + timedelta(minutes=1) - MICROSECOND) == [due]
    assert await _claimed_ids(outbox_queue, NOW + timedelta(minutes=1)) == [later]


async def test_a_claimed_entry_is_claimed_again_only_once_its_lease_ends(
    uow: UnitOfWork, outbox_queue: OutboxQueue
) -> None:
    [entry_id] = await _queued(uow, a_mail_message())
    assert await _claimed_ids(outbox_queue, NOW) == [entry_id]

    assert await _claimed_ids(outbox_queue, NOW + LEASE - MICROSECOND) == []
    assert await _claimed_ids(outbox_queue, NOW + LEASE) == [entry_id]


async def test_a_sent_entry_is_never_claimed_again(uow: UnitOfWork, outbox_queue: OutboxQueue) -> None:
    sent_id, other_id = await _queued(uow, a_mail_message(), a_mail_message())
    await _claim(outbox_queue, NOW)

    await outbox_queue.mark_sent(sent_id, NOW + timedelta(seconds=1))

    assert await _claimed_ids(outbox_queue, NOW + LEASE) == [other_id]
    assert await _claimed_ids(outbox_queue, LATER) == [other_id]


async def test_retry_later_counts_an_attempt_drops_the_lease_and_makes_the_entry_due_then(
    uow: UnitOfWork, outbox_queue: OutboxQueue
) -> None:
    [entry_id] = await _queued(uow, a_mail_message())
    await _claim(outbox_queue, NOW)
    next_attempt_at = NOW + timedelta(minutes=1)

    await outbox_queue.retry_later(entry_id, next_attempt_at=next_attempt_at)

    assert await _claim(outbox_queue, next_attempt_at - MICROSECOND) == []
    [retried] = await _claim(outbox_queue, next_attempt_at)
    assert (retried.id, retried.attempts, retried.next_attempt_at) == (entry_id, 1, next_attempt_at)


async def test_every_retry_counts_one_more_attempt(uow: UnitOfWork, outbox_queue: OutboxQueue) -> None:
    [entry_id] = await _queued(uow, a_mail_message())
    for attempt in range(3):
        await _claim(outbox_queue, NOW + timedelta(hours=attempt))
        await outbox_queue.retry_later(entry_id, next_attempt_at=NOW + timedelta(hours=attempt + 1))

    [retried] = await _claim(outbox_queue, NOW + timedelta(hours=3))

    assert retried.attempts == 3


async def test_a_given_up_entry_is_never_claimed_again(uow: UnitOfWork, outbox_queue: OutboxQueue) -> None:
    failed_id, other_id = await _queued(uow, a_mail_message(), a_mail_message())
    await _claim(outbox_queue, NOW)

    await outbox_queue.give_up(failed_id, NOW + timedelta(seconds=1))

    assert await _claimed_ids(outbox_queue, NOW + LEASE) == [other_id]
    assert await _claimed_ids(outbox_queue, LATER) == [other_id]


async def test_concurrent_claims_never_share_an_entry_and_together_take_every_due_one(
    uow: UnitOfWork, outbox_queue: OutboxQueue
) -> None:
    async with uow as tx:
        queued = {await tx.outbox.add(a_mail_message(), NOW + number * MICROSECOND) for number in range(30)}
        await tx.commit()

    batches = await asyncio.gather(*(_claimed_ids(outbox_queue, NOW + LEASE, limit=5) for _ in range(8)))

    claimed = [entry_id for batch in batches for entry_id in batch]
    assert all(len(batch) <= 5 for batch in batches)
    assert len(claimed) == len(set(claimed))
    assert set(claimed) == queued


async def test_backlog_counts_pending_entries_due_or_not_and_neither_sent_nor_given_up(
    uow: UnitOfWork, outbox_queue: OutboxQueue
) -> None:
    assert await outbox_queue.backlog() == 0
    sent, given_up, retried, _waiting = await _queued(uow, *(a_mail_message() for _ in range(4)))
    await _queued(uow, a_mail_message(), at=LATER)
    await _claim(outbox_queue, NOW)
    await outbox_queue.mark_sent(sent, NOW)
    await outbox_queue.give_up(given_up, NOW)
    await outbox_queue.retry_later(retried, next_attempt_at=LATER)

    assert await outbox_queue.backlog() == 3  # retried, waiting (leased) and the one due later
