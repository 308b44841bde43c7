"""The webhook payload, the choice of events and the reading of the signing secret."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.audit import AuditEventType
from domain.webhooks import WebhookSubscription, parse_event_types, webhook_key, webhook_payload
from tests.builders import an_audit_event


def test_the_payload_holds_the_five_fields_and_no_request_details() -> None:
    event = an_audit_event(user_id="u-1", data={"session_id": "s-1", "new_device": False, "sessions": 2})

    payload = json.loads(webhook_payload(event))

    assert payload == {
        "id": event.id,
        "type": "login.succeeded",
        "user_id": "u-1",
        "created_at": "2026-01-01T12:00:00Z",
        "data": {"session_id": "s-1", "new_device": False, "sessions": 2},
    }
    assert "203.0.113.7" not in webhook_payload(event)  # the IP address stays in the audit trail
    assert "pytest" not in webhook_payload(event)  # and so does the user agent


def test_the_creation_time_is_given_in_utc() -> None:
    elsewhere = datetime(2026, 1, 1, 13, 30, 0, 250000, tzinfo=timezone(timedelta(hours=1)))

    payload = json.loads(webhook_payload(an_audit_event(created_at=elsewhere)))

    assert payload["created_at"] == "2026-01-01T12:30:00.250000Z"
    assert datetime.fromisoformat(payload["created_at"]) == elsewhere.astimezone(UTC)


def test_a_subscription_to_every_type_wants_every_audit_event() -> None:
    subscription = WebhookSubscription(url="https://r.example/")

    assert all(subscription.wants(an_audit_event(type=event_type)) for event_type in AuditEventType)


def test_a_subscription_to_some_types_wants_only_those() -> None:
    subscription = WebhookSubscription(url="https://r.example/", types=frozenset({AuditEventType.LOGIN_FAILED}))

    assert subscription.wants(an_audit_event(type=AuditEventType.LOGIN_FAILED))
    assert not subscription.wants(an_audit_event(type=AuditEventType.LOGIN_SUCCEEDED))


def test_event_types_are_read_from_a_comma_separated_list() -> None:
    assert parse_event_types("") is None
    assert parse_event_types(" , ") is None
    assert parse_event_types("login.failed, user.deleted,") == {
        AuditEventType.LOGIN_FAILED,
        AuditEventType.USER_DELETED,
    }


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown audit event types: login\.fail "):
        parse_event_types("login.fail,user.deleted")


def test_the_secret_is_base64_with_or_without_its_prefix() -> None:
    key = bytes(range(32))
    encoded = base64.b64encode(key).decode()

    assert webhook_key("whsec_" + encoded) == key
    assert webhook_key(encoded) == key


@pytest.mark.parametrize("secret", ["", "whsec_", "whsec_not base64!", "whsec_" + "A" * 28, "B" * 88])
def test_a_secret_that_is_not_base64_of_24_to_64_bytes_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="webhook secret must") as refused:
        webhook_key(secret)

    assert "not base64!" not in str(refused.value)
    assert "AAAA" not in str(refused.value)
    assert "BBBB" not in str(refused.value)
