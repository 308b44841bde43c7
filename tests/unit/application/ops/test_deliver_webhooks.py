"""DeliverWebhooksHandler over the production wiring with memory adapters: audit events reach the
receiver once accepted, are retried with backoff while it fails, and are given up after the last attempt."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.memory.clock import FrozenClock
from adapters.memory.store import MemoryStore, OutboxRecord
from adapters.memory.webhook_sender import MemoryWebhookSender
from application.auth.register_user import RegisterUser
from domain.mail import DeliveryPolicy, OutboxKind, kind_of
from entrypoints.container.lifecycle import in_memory
from entrypoints.container.use_cases import Policies, UseCases
from entrypoints.settings import Settings
from tests.builders import NOW

URL = "https://receiver.example/hooks"
POLICY = DeliveryPolicy(first_retry=timedelta(seconds=10), max_retry=timedelta(minutes=1), max_attempts=3)


class Service:
    def __init__(self, events: str = "") -> None:
        settings = Settings.from_flat(
            environment="test",
            secret_key="unit-test-secret-" + "x" * 32,
            webhook_url=URL,
            webhook_secret="whsec_" + "A" * 32,
            webhook_events=events,
        )
        self.use_cases, adapters = in_memory(settings)
        self.clock = FrozenClock(NOW)
        adapters.clock.override(self.clock)
        self.use_cases.policies.override(_with_delivery(self.use_cases))
        self.sender: MemoryWebhookSender = adapters.webhook_sender()
        self.store: MemoryStore = adapters.store()

    async def register(self, name: str) -> None:
        await self.use_cases.register_user().handle(
            RegisterUser(email=f"{name}@example.org", username=name, password="Correct-Horse-9")
        )

    async def deliver(self) -> int:
        return await self.use_cases.deliver_webhooks().handle()


def _with_delivery(use_cases: UseCases) -> Policies:
    return replace(use_cases.policies(), delivery=POLICY)


def _webhook_record(store: MemoryStore) -> OutboxRecord:
    [record] = [record for record in store.outbox.values() if kind_of(record.message) is OutboxKind.WEBHOOK]
    return record


async def test_an_audit_event_is_posted_with_its_payload() -> None:
    service = Service()
    await service.register("ada")

    assert await service.deliver() == 1

    [sent] = service.sender.sent
    payload = json.loads(sent.body)
    assert (sent.url, sent.type, sent.id) == (URL, "user.registered", payload["id"])
    assert set(payload) == {"id", "type", "user_id", "created_at", "data"}
    assert payload["created_at"] == "2026-01-01T12:00:00Z"
    assert "ada@example.org" not in sent.body
    assert await service.deliver() == 0  # sent once


async def test_a_failing_receiver_is_retried_with_backoff_under_the_same_id() -> None:
    service = Service()
    await service.register("ada")
    service.sender.fail_next(2)

    assert await service.deliver() == 0
    assert await service.deliver() == 0  # not due yet
    service.clock.advance(timedelta(seconds=10))
    assert await service.deliver() == 0  # second failure: next try 20 s later
    service.clock.advance(timedelta(seconds=19))
    assert await service.deliver() == 0
    service.clock.advance(timedelta(seconds=1))
    assert await service.deliver() == 1

    record = _webhook_record(service.store)
    assert [message.id for message in service.sender.sent] == [record.id]
    assert record.attempts == 2
    assert record.sent_at == service.clock.now()
    assert record.message.without_body() == record.message  # the payload is not kept once sent


async def test_a_receiver_down_past_the_last_attempt_makes_the_event_given_up() -> None:
    service = Service()
    await service.register("ada")
    service.sender.down = True

    for _ in range(POLICY.max_attempts):
        await service.deliver()
        service.clock.advance(POLICY.max_retry)
    service.sender.down = False

    assert await service.deliver() == 0
    record = _webhook_record(service.store)
    assert record.failed_at is not None
    assert service.sender.sent == []


async def test_mail_is_delivered_while_the_receiver_is_down() -> None:
    service = Service()
    service.sender.down = True
    await service.register("ada")  # queues a verification mail and a webhook

    assert await service.use_cases.deliver_outbox().handle() >= 1
    assert await service.deliver() == 0


@pytest.mark.parametrize(("events", "delivered"), [("user.registered", 1), ("login.failed, user.deleted", 0)])
async def test_only_the_configured_event_types_are_sent(events: str, delivered: int) -> None:
    service = Service(events)
    await service.register("ada")

    assert await service.deliver() == delivered
