"""The outbox end to end on every backend: stored in a transaction, delivered over real SMTP once,
through an outage of the SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.mail.smtp_mailer import SmtpMailer
from adapters.memory.clock import FrozenClock
from application.ops.deliver_outbox import DeliverOutboxHandler
from domain.mail import DeliveryPolicy
from tests.backends import Storage
from tests.builders import a_mail_message
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
    return DeliverOutboxHandler(storage.outbox_queue, mailer, clock, DeliveryPolicy())


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
