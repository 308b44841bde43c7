"""Webhooks from real server processes to a real receiver process that checks their signatures:
retried under one webhook-id while the receiver fails, kept through its outage and a restart of
the server, accepted once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.servers import PASSWORD, ServerLog, server, wait_for
from tests.webhook_receiver import Delivery, LocalWebhookReceiver

pytestmark = pytest.mark.slow

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _settings(receiver: LocalWebhookReceiver) -> dict[str, str]:
    return {"webhook_url": receiver.url, "webhook_secret": SECRET, "webhook_events": "user.registered"}


def _register(base: str, name: str) -> str:
    response = httpx.post(
        f"{base}/auth/register", json={"email": f"{name}@example.org", "username": name, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _accepted(receiver: LocalWebhookReceiver) -> list[Delivery]:
    return [delivery for delivery in receiver.deliveries() if delivery.status == 204]


def test_a_failing_receiver_gets_the_event_again_under_the_same_id_until_it_accepts(tmp_path: Path) -> None:
    log = ServerLog()
    receiver = LocalWebhookReceiver(tmp_path, SECRET, fail_first=2)
    with receiver, server(tmp_path, log=log, **_settings(receiver)) as base:
        user_id = _register(base, "ada")
        wait_for(lambda: _accepted(receiver), 40)  # retried 5 s, then 10 s after the failures
        time.sleep(2.5)  # more polls: nothing is sent again once accepted

    deliveries = receiver.deliveries()
    assert [delivery.status for delivery in deliveries] == [500, 500, 204]
    assert all(delivery.signed for delivery in deliveries)
    assert len({delivery.webhook_id for delivery in deliveries}) == 1
    payload = deliveries[-1].payload
    assert payload["id"] == deliveries[-1].webhook_id
    assert (payload["type"], payload["user_id"]) == ("user.registered", user_id)
    assert set(payload) == {"id", "type", "user_id", "created_at", "data"}
    assert deliveries[0].timestamp < deliveries[-1].timestamp  # signed anew at each attempt
    assert "the receiver answered 500" in log.text
    assert receiver.url not in log.text
    assert SECRET.removeprefix("whsec_") not in log.text


def test_events_wait_for_a_receiver_that_is_down_even_across_a_restart(tmp_path: Path) -> None:
    receiver = LocalWebhookReceiver(tmp_path, SECRET)  # its port is known; nothing listens yet
    users = []
    with server(tmp_path, **_settings(receiver)) as base:
        users.append(_register(base, "ada"))
        time.sleep(1.5)  # the worker tries and fails
    with server(tmp_path, **_settings(receiver)) as base:
        users.append(_register(base, "grace"))
        time.sleep(2)
        assert receiver.deliveries() == []
        with receiver:
            users.append(_register(base, "alan"))
            wait_for(lambda: len(_accepted(receiver)) >= len(users), 40)
            time.sleep(2.5)

    accepted = _accepted(receiver)
    assert sorted(delivery.payload["user_id"] for delivery in accepted) == sorted(users)
    assert all(delivery.signed and delivery.payload["id"] == delivery.webhook_id for delivery in accepted)
