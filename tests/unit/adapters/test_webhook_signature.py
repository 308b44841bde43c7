"""HttpWebhookSender's signature matches the Standard Webhooks specification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path
from typing import Any

from adapters.http_client.webhook_sender import webhook_signature
from domain.webhooks import webhook_key

# The specification's published test vector.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_of_the_specification_test_vector() -> None:
    assert webhook_signature(webhook_key(SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_the_signature_covers_the_id_the_timestamp_and_the_body() -> None:
    key = webhook_key(SPEC_SECRET)

    signatures = {
        webhook_signature(key, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
        webhook_signature(key, "msg_other", SPEC_TIMESTAMP, SPEC_BODY),
        webhook_signature(key, SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY),
        webhook_signature(key, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.replace("2", "3")),
    }

    assert len(signatures) == 4


def test_a_non_ascii_body_is_signed_as_its_utf8_bytes() -> None:
    key, body = webhook_key(SPEC_SECRET), '{"name":"Grüße"}'
    expected = hmac.new(key, f"{SPEC_ID}.{SPEC_TIMESTAMP}.".encode() + body.encode("utf-8"), hashlib.sha256).digest()

    assert webhook_signature(key, SPEC_ID, SPEC_TIMESTAMP, body) == "v1," + base64.b64encode(expected).decode()


def test_the_verification_snippet_of_the_api_reference_accepts_our_signatures_only() -> None:
    api = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text()
    snippet = re.search(r"```python\n(import base64, hashlib, hmac, time\n.*?)```", api, re.DOTALL)
    assert snippet is not None
    namespace: dict[str, Any] = {}
    exec(snippet.group(1), namespace)  # the documentation's own example
    headers = {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP), "webhook-signature": SPEC_SIGNATURE}
    ever = 10**10

    assert namespace["verify"](SPEC_SECRET, headers, SPEC_BODY.encode(), tolerance=ever)
    assert not namespace["verify"](SPEC_SECRET, headers, SPEC_BODY.encode() + b" ", tolerance=ever)
    assert not namespace["verify"](SPEC_SECRET, headers, SPEC_BODY.encode())  # signed too long ago
