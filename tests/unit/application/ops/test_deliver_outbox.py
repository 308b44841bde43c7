"""DeliverOutboxHandler puts a sealed link token back at send time and keeps no body afterwards."""

from __future__ import annotations

from dataclasses import replace

from adapters.crypto.token_sealer import AeadTokenSealer
from adapters.memory.clock import FrozenClock
from adapters.memory.mailer import MemoryMailer
from adapters.memory.outbox_queue import MemoryOutboxQueue
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryUnitOfWork
from application.ops.deliver_outbox import DeliverOutboxHandler
from domain.mail import TOKEN_PLACEHOLDER, DeliveryPolicy, MailMessage
from tests.backends import RecordingPublisher
from tests.builders import NOW, a_mail_message, a_mail_sealer


async def _queued(store: MemoryStore, message: MailMessage) -> None:
    async with MemoryUnitOfWork(store, RecordingPublisher()) as uow:
        await uow.outbox.add(message, NOW)
        await uow.commit()


def _sealed_message(sealed: str) -> MailMessage:
    return a_mail_message(text=f"open https://x.example/reset-password#token={TOKEN_PLACEHOLDER}", sealed_token=sealed)


def _worker(store: MemoryStore, mailer: MemoryMailer) -> DeliverOutboxHandler:
    return DeliverOutboxHandler(MemoryOutboxQueue(store), mailer, FrozenClock(NOW), DeliveryPolicy(), a_mail_sealer())


async def test_the_token_is_put_back_at_send_time_and_the_body_dropped_after() -> None:
    store, mailer = MemoryStore(), MemoryMailer()
    await _queued(store, _sealed_message(a_mail_sealer().seal("the-token")))

    assert await _worker(store, mailer).handle() == 1

    [sent] = mailer.sent
    assert sent.text == "open https://x.example/reset-password#token=the-token"
    assert sent.sealed_token is None
    [record] = store.outbox.values()
    assert record.message == replace(record.message, text="", html=None, sealed_token=None)
    assert record.sent_at == NOW


async def test_a_token_sealed_under_another_key_is_given_up_without_sending() -> None:
    store, mailer = MemoryStore(), MemoryMailer()
    await _queued(store, _sealed_message(AeadTokenSealer(b"o" * 48, "outbox link token").seal("the-token")))

    assert await _worker(store, mailer).handle() == 0

    assert mailer.sent == []
    [record] = store.outbox.values()
    assert record.failed_at == NOW
    assert record.message.text == ""
