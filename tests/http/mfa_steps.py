"""The steps of two-factor authentication over HTTP, shared by the MFA tests: a clock frozen at the
start of a 30-second step, TOTP codes, enrolment and the two steps of a login."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp

from adapters.memory.clock import FrozenClock
from domain.ports.clock import Clock
from tests.http.conftest import PASSWORD, Api, bearer

# The start of a 30-second step, so that a test's few seconds never cross into the next one.
START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)


def frozen_clock(api: Api) -> FrozenClock:
    """The API's clock frozen at START (before its first request)."""
    frozen = FrozenClock(START)
    api.adapters.clock.override(frozen)
    return frozen


def code(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def claims(pair: dict[str, Any]) -> dict[str, Any]:
    payload = pair["access_token"].split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def set_up(api: Api, pair: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.post("/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer(pair))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def enrolled(api: Api, clock: Clock) -> tuple[dict[str, Any], str, list[str]]:
    """A registered account with TOTP on (confirmed with the code of the step before now): its first
    token pair, the secret and the recovery codes."""
    pair = await api.registered_and_logged_in()
    secret = (await set_up(api, pair))["secret"]
    confirmed = await api.client.post(
        "/auth/mfa/totp/confirm", json={"code": code(secret, clock.now() - STEP)}, headers=bearer(pair)
    )
    assert confirmed.status_code == 200, confirmed.text
    return pair, secret, confirmed.json()["recovery_codes"]


async def mfa_token(api: Api, identifier: str = "ada@example.org") -> str:
    answer = await api.client.post("/auth/login", json={"email": identifier, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["mfa_required"] is True
    assert body["methods"] == ["totp", "recovery_code"]
    assert not {"access_token", "refresh_token"} & set(body)
    return str(body["mfa_token"])


async def second_step(api: Api, token: str, given: str) -> Any:
    return await api.client.post("/auth/login/mfa", json={"mfa_token": token, "code": given})


def audit(api: Api, type_: str) -> list[dict[str, Any]]:
    events = api.adapters.store().audit_events.values()
    return [dict(event.data) for event in events if event.type.value == type_]
