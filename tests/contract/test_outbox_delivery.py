"""The outbox end to end on every backend: stored in a transaction, delivered over real SMTP once,
through an outage of the SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from adapters.mail.smtp_mailer import SmtpMailer
from adapters.memory.clock import FrozenClock
from application.errors import DependencyUnavailableError
from application.ops.deliver_outbox import DeliverOutboxHandler
from domain.mail import DeliveryPolicy, OutboxEntry, OutboxKind
from domain.ports.mail import OutboxQueue
from tests.backends import Storage
from tests.builders import a_mail_message, a_mail_sealer
from tests.smtp_server import LocalSmtpServer


@pytest.fixture
def smtp() -> Iterator[LocalSmtpServer]:
    server = LocalSmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _worker(storage: Storage, smtp: LocalSmtpServer, clock: FrozenClock) -> DeliverOutboxHandler:
    mailer = SmtpMailer(
        host="127.0.0.1", port=smtp.port, sender="Bastion <no-reply@example.org>", starttls=False, ssl=False,
        timeout_seconds=2,
    )  # fmt: skip
    return DeliverOutboxHandler(storage.outbox_queue, mailer, clock, DeliveryPolicy(), a_mail_sealer())


async def _queue(storage: Storage, clock: FrozenClock, count: int = 1, *, commit: bool = True) -> None:
    async with storage.new_uow() as uow:
        for number in range(count):
            await uow.outbox.add(a_mail_message(to=f"user{number}@example.org", text="Grüße, link inside"), clock.now())
        if commit:
            await uow.commit()


async def test_a_committed_message_is_delivered_once(storage: Storage, smtp: LocalSmtpServer) -> None:
    clock = FrozenClock()
    await _queue(storage, clock)
    worker = _worker(storage, smtp, clock)
    assert await worker.handle() == 1
    clock.advance(timedelta(hours=2))
    assert await worker.handle() == 0
    assert len(smtp.received) == 1
    assert smtp.received[0].message.get_content().strip() == "Grüße, link inside"


async def test_a_rolled_back_message_is_never_delivered(storage: Storage, smtp: LocalSmtpServer) -> None:
    clock = FrozenClock()
    await _queue(storage, clock, commit=False)
    assert await _worker(storage, smtp, clock).handle() == 0
    assert smtp.received == []


async def test_an_smtp_outage_delays_the_message_and_it_arrives_once(storage: Storage, smtp: LocalSmtpServer) -> None:
    clock = FrozenClock()
    await _queue(storage, clock)
    worker = _worker(storage, smtp, clock)
    smtp.stop()
    assert await worker.handle() == 0
    clock.advance(timedelta(seconds=5))
    assert await worker.handle() == 0  # still down: the next retry waits 10 s
    smtp.start()
    clock.advance(timedelta(seconds=5))
    assert await worker.handle() == 0  # not due yet
    clock.advance(timedelta(seconds=5))
    assert await worker.handle() == 1
    clock.advance(timedelta(days=1))
    assert await worker.handle() == 0
    assert len(smtp.received) == 1


async def test_a_refusing_server_is_retried_like_a_down_one(storage: Storage, smtp: LocalSmtpServer) -> None:
    clock = FrozenClock()
    await _queue(storage, clock)
    worker = _worker(storage, smtp, clock)
    smtp.refusing = True
    assert await worker.handle() == 0
    smtp.refusing = False
    clock.advance(timedelta(seconds=5))
    assert await worker.handle() == 1
    assert len(smtp.received) == 1


async def test_parallel_workers_send_each_message_once(storage: Storage, smtp: LocalSmtpServer) -> None:
    clock = FrozenClock()
    await _queue(storage, clock, count=25)
    workers = [_worker(storage, smtp, clock) for _ in range(4)]
    for _ in range(3):
        await asyncio.gather(*(worker.handle() for worker in workers))
    recipients = sorted(mail.rcpt_tos[0] for mail in smtp.received)
    assert recipients == sorted(f"user{number}@example.org" for number in range(25))


class _MarkingFails(OutboxQueue):
    """The store under test, whose `mark_sent` does not answer `failures` times (a database blip
    right after the SMTP server accepted the message)."""

    def __init__(self, queue: OutboxQueue, failures: int) -> None:
        self._queue, self.failures = queue, failures

    async def claim(
        self, now: datetime, *, limit: int, lease: timedelta, kind: OutboxKind = OutboxKind.MAIL
    ) -> list[OutboxEntry]:
        return await self._queue.claim(now, limit=limit, lease=lease, kind=kind)

    async def mark_sent(self, entry_id: str, now: datetime) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise DependencyUnavailableError("database")
        await self._queue.mark_sent(entry_id, now)

    async def retry_later(self, entry_id: str, *, next_attempt_at: datetime) -> None:
        await self._queue.retry_later(entry_id, next_attempt_at=next_attempt_at)

    async def give_up(self, entry_id: str, now: datetime) -> None:
        await self._queue.give_up(entry_id, now)

    async def backlog(self) -> int:
        return await self._queue.backlog()


def _mailer(smtp: LocalSmtpServer) -> SmtpMailer:
    return SmtpMailer(
        host="127.0.0.1", port=smtp.port, sender="Bastion <no-reply@example.org>", starttls=False, ssl=False,
        timeout_seconds=2,
    )  # fmt: skip


async def test_a_failed_mark_is_retried_first_and_the_rest_of_the_batch_still_goes(
    storage: Storage, smtp: LocalSmtpServer
) -> None:
    clock = FrozenClock()
    await _queue(storage, clock, count=3)
    queue = _MarkingFails(storage.outbox_queue, failures=1)
    worker = DeliverOutboxHandler(queue, _mailer(smtp), clock, DeliveryPolicy(), a_mail_sealer())

    assert await worker.handle() == 3  # the first mark failed; the other two messages went anyway
    assert len(smtp.received) == 3
    clock.advance(timedelta(seconds=1))
    assert await worker.handle() == 0  # the pending mark is written before anything is claimed
    clock.advance(DeliveryPolicy().lease + timedelta(hours=1))
    assert await worker.handle() == 0
    assert len(smtp.received) == 3  # nothing was sent twice


async def test_while_the_store_does_not_answer_the_pending_mark_waits_and_nothing_new_is_claimed(
    storage: Storage, smtp: LocalSmtpServer
) -> None:
    clock = FrozenClock()
    await _queue(storage, clock, count=1)
    queue = _MarkingFails(storage.outbox_queue, failures=2)
    worker = DeliverOutboxHandler(queue, _mailer(smtp), clock, DeliveryPolicy(), a_mail_sealer())
    assert await worker.handle() == 1
    await _queue(storage, clock, count=1)

    with pytest.raises(DependencyUnavailableError):
        await worker.handle()
    assert len(smtp.received) == 1
    assert await worker.handle() == 1  # the mark went through, then the new message
    assert len(smtp.received) == 2


async def test_every_attempt_of_one_entry_carries_the_same_message_id(storage: Storage, smtp: LocalSmtpServer) -> None:
    clock = FrozenClock()
    await _queue(storage, clock)
    queue = _MarkingFails(storage.outbox_queue, failures=10)
    worker = DeliverOutboxHandler(queue, _mailer(smtp), clock, DeliveryPolicy(), a_mail_sealer())
    assert await worker.handle() == 1
    # The mark never got through and the process is gone: another worker sends it again after the lease.
    clock.advance(DeliveryPolicy().lease + timedelta(seconds=1))
    second_worker = DeliverOutboxHandler(storage.outbox_queue, _mailer(smtp), clock, DeliveryPolicy(), a_mail_sealer())
    assert await second_worker.handle() == 1

    first, again = (received.message["Message-ID"] for received in smtp.received)
    assert first == again
    assert first.endswith("@example.org>")
