"""HttpWebhookSender: webhooks posted with httpx and signed as the Standard Webhooks specification says."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging

import httpx

from adapters.http_client.client_pool import HttpClientPool
from application.errors import DependencyUnavailableError
from domain.ports.clock import Clock
from domain.ports.mail import WebhookSender
from domain.webhooks import WebhookMessage

_logger = logging.getLogger("bastion.webhooks")

DEFAULT_TIMEOUT_SECONDS = 5.0


def webhook_signature(key: bytes, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


class HttpWebhookSender(HttpClientPool, WebhookSender):
    """POSTs a message's JSON body to its URL with the `webhook-id`, `webhook-timestamp` (the
    clock's time at sending, in whole seconds) and `webhook-signature` headers.

    - Delivered means a 2xx answer. Any other status (redirects are not followed), no connection,
      or no complete answer within `timeout_seconds` (the whole exchange) is a failed attempt
      (`DependencyUnavailableError`), logged with the message's id and the reason, never the secret
      or the URL (which may carry a credential of the receiver's). The answer's body is not read.
    - One connection pool (`HttpClientPool`), opened on first use and closed by `stop`.
    """

    def __init__(self, key: bytes, clock: Clock, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        super().__init__(timeout_seconds)
        self._key, self._clock = key, clock

    async def send(self, message: WebhookMessage) -> None:
        timestamp = int(self._clock.now().timestamp())
        headers = {
            "content-type": "application/json",
            "webhook-id": message.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": webhook_signature(self._key, message.id, timestamp, message.body),
        }
        try:
            async with (
                asyncio.timeout(self._timeout),
                self._http().stream("POST", message.url, content=message.body.encode(), headers=headers) as response,
            ):
                status = response.status_code
        except (TimeoutError, httpx.HTTPError, httpx.InvalidURL) as error:
            _logger.warning("webhook %s not delivered: %s", message.id, type(error).__name__)
            raise DependencyUnavailableError("webhook receiver") from None
        if not httpx.codes.is_success(status):
            _logger.warning("webhook %s not delivered: the receiver answered %d", message.id, status)
            raise DependencyUnavailableError("webhook receiver")
