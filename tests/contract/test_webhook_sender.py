"""HttpWebhookSender against real sockets: a 2xx answer delivers, anything else is a failed attempt."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.http_client.webhook_sender import HttpWebhookSender
from adapters.memory.clock import FrozenClock
from application.errors import DependencyUnavailableError
from domain.webhooks import WebhookMessage, webhook_key
from entrypoints.http.log_format import server_log_config
from tests.builders import NOW
from tests.webhook_receiver import LocalWebhookReceiver

pytestmark = pytest.mark.slow

SECRET = "whsec_" + "c2VjcmV0LWtleS1vZi10aGUtcmVjZWl2ZXI="


def _message(url: str) -> WebhookMessage:
    return WebhookMessage(url=url, id="evt-1", type="login.failed", body='{"id":"evt-1","name":"Grüße"}')


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


async def test_an_accepted_message_is_signed_and_posted_once(tmp_path: Path) -> None:
    clock = FrozenClock(datetime.now(UTC))
    sender = HttpWebhookSender(webhook_key(SECRET), clock)
    with LocalWebhookReceiver(tmp_path, SECRET) as receiver:
        await sender.send(_message(receiver.url))
    await sender.stop()

    [delivery] = receiver.deliveries()
    assert (delivery.webhook_id, delivery.signed, delivery.status) == ("evt-1", True, 204)
    assert delivery.timestamp == int(clock.now().timestamp())
    assert delivery.payload == {"id": "evt-1", "name": "Grüße"}


async def test_an_answer_other_than_2xx_is_a_failed_attempt(tmp_path: Path) -> None:
    sender = HttpWebhookSender(webhook_key(SECRET), FrozenClock(datetime.now(UTC)))
    with LocalWebhookReceiver(tmp_path, SECRET, fail_first=1) as receiver:
        with pytest.raises(DependencyUnavailableError):
            await sender.send(_message(receiver.url))
        await sender.send(_message(receiver.url))
    await sender.stop()

    assert [delivery.status for delivery in receiver.deliveries()] == [500, 204]


async def test_a_wrong_signature_is_refused_by_the_receiver_and_a_failed_attempt(tmp_path: Path) -> None:
    sender = HttpWebhookSender(webhook_key("whsec_" + "B" * 32), FrozenClock(datetime.now(UTC)))
    with LocalWebhookReceiver(tmp_path, SECRET) as receiver, pytest.raises(DependencyUnavailableError):
        await sender.send(_message(receiver.url))
    await sender.stop()

    assert [delivery.status for delivery in receiver.deliveries()] == [401]


async def test_no_receiver_listening_is_a_failed_attempt(tmp_path: Path) -> None:
    receiver = LocalWebhookReceiver(tmp_path, SECRET)  # never started
    sender = HttpWebhookSender(webhook_key(SECRET), FrozenClock(datetime.now(UTC)))
    with pytest.raises(DependencyUnavailableError):
        await sender.send(_message(receiver.url))
    await sender.stop()


async def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(silent_port: int) -> None:
    timeout = timedelta(milliseconds=300)
    sender = HttpWebhookSender(webhook_key(SECRET), FrozenClock(NOW), timeout_seconds=timeout.total_seconds())
    with pytest.raises(DependencyUnavailableError):
        await sender.send(_message(f"http://127.0.0.1:{silent_port}/hooks"))
    await sender.stop()


async def test_the_secret_and_the_url_stay_out_of_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sender = HttpWebhookSender(webhook_key(SECRET), FrozenClock(datetime.now(UTC)))
    with LocalWebhookReceiver(tmp_path, SECRET, fail_first=1) as receiver, pytest.raises(DependencyUnavailableError):
        await sender.send(_message(receiver.url + "?token=receiver-credential"))
    await sender.stop()

    ours = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("bastion"))
    assert "evt-1" in ours
    assert "receiver-credential" not in ours
    assert SECRET.removeprefix("whsec_") not in ours
    # httpx names every URL it requests at INFO: the service's log configuration keeps it to warnings.
    assert server_log_config(json_lines=False)["loggers"]["httpx"] == {"level": "WARNING"}
