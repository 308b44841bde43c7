"""Security properties of two-factor authentication over HTTP: no enumeration, wrong codes counted
against the lockout and audited, the `mfa_token` good for nothing but the second step, hostile input
answered with clear problems, and nothing secret in the audit trail, the logs or the stored factor."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from adapters.memory.clock import FrozenClock
from tests.http.conftest import PASSWORD, Api, answer_body, bearer
from tests.http.mfa_steps import STEP, audit, code, enrolled, frozen_clock, mfa_token, second_step


@pytest.fixture
def clock(api: Api) -> FrozenClock:
    return frozen_clock(api)


async def test_a_wrong_password_on_an_mfa_account_answers_like_an_unknown_account(api: Api, clock: FrozenClock) -> None:
    await enrolled(api, clock)

    wrong = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-Pass-1"})
    unknown = await api.client.post("/auth/login", json={"email": "nobody@example.org", "password": "Wrong-Pass-1"})

    assert wrong.status_code == unknown.status_code == 401
    assert answer_body(wrong) == answer_body(unknown)
    assert "mfa" not in wrong.text


async def test_wrong_codes_count_against_the_account_lockout_and_are_audited(api: Api, clock: FrozenClock) -> None:
    _, secret, _ = await enrolled(api, clock)
    for _ in range(5):
        assert (await second_step(api, await mfa_token(api), "000000")).status_code == 401

    locked_step = await second_step(api, await mfa_token(api, "ada"), code(secret, clock.now()))
    locked_login = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})

    assert locked_step.status_code == 429
    assert "retry-after" in locked_step.headers
    assert locked_login.status_code == 429
    failures = audit(api, "mfa.failed")
    assert [data["reason"] for data in failures] == ["wrong_code"] * 5 + ["locked"]
    assert failures[4] == {"purpose": "login", "reason": "wrong_code", "method": "totp", "locked": True}


async def test_a_right_code_resets_the_count_of_wrong_ones(api: Api, clock: FrozenClock) -> None:
    _, secret, _ = await enrolled(api, clock)
    for _ in range(4):
        await second_step(api, await mfa_token(api), "000000")
    assert (await second_step(api, await mfa_token(api), code(secret, clock.now()))).status_code == 200

    for _ in range(4):
        await second_step(api, await mfa_token(api), "000000")
    assert (await second_step(api, await mfa_token(api), code(secret, clock.now() + STEP))).status_code == 200


async def test_the_mfa_token_is_no_bearer_token_and_no_refresh_token(api: Api, clock: FrozenClock) -> None:
    await enrolled(api, clock)
    token = await mfa_token(api)

    as_bearer = await api.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    as_refresh = await api.client.post("/auth/refresh", json={"refresh_token": token})

    assert (as_bearer.status_code, as_refresh.status_code) == (401, 401)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"mfa_token": "x", "code": "1" * 65}, 422),
        ({"mfa_token": "x", "code": 123456}, 422),
        ({"mfa_token": "x", "code": None}, 422),
        ({"mfa_token": "x"}, 422),
        ({"code": "123456"}, 422),
        ({"mfa_token": "x", "code": "123456", "extra": 1}, 422),
        ({"mfa_token": "x", "code": "\u0661\u0662\u0663\u0664\u0665\u0666"}, 401),
        ({"mfa_token": "x" * 10_000, "code": "123456"}, 401),
        ({"mfa_token": "\u0000", "code": "\u0000"}, 401),
        ({"mfa_token": ["x"], "code": "123456"}, 422),
    ],
)
async def test_hostile_second_steps_get_clear_problems(api: Api, body: dict[str, Any], status: int) -> None:
    response = await api.client.post("/auth/login/mfa", json=body)

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_hostile_codes_on_an_enrolled_account_are_wrong_codes(api: Api, clock: FrozenClock) -> None:
    pair, _, _ = await enrolled(api, clock)
    for given in [
        "\u0661\u0662\u0663\u0664\u0665\u0666",
        "12345\u0000",
        "\U0001d7d9\U0001d7da\U0001d7db\U0001d7dc\U0001d7dd\U0001d7de",
        " ",
        "abcd-efgh-234!",
    ]:
        response = await api.client.post(
            "/auth/mfa/recovery-codes", json={"password": PASSWORD, "code": given}, headers=bearer(pair)
        )
        assert response.status_code in (400, 429), response.text


async def test_nothing_secret_reaches_the_audit_trail(api: Api, clock: FrozenClock) -> None:
    _, secret, codes = await enrolled(api, clock)
    token = await mfa_token(api)
    await second_step(api, token, "000000")
    await second_step(api, token, codes[1])

    trail = repr(list(api.adapters.store().audit_events.values()))

    for value in [secret, token, *codes, *(c.replace("-", "") for c in codes)]:
        assert value not in trail


async def test_the_factor_is_stored_sealed(api: Api, clock: FrozenClock) -> None:
    _, secret, codes = await enrolled(api, clock)

    [factor] = api.adapters.store().second_factors.values()

    assert secret not in repr(factor)
    assert not any(code in repr(factor) or code.replace("-", "") in repr(factor) for code in codes)


async def test_nothing_secret_reaches_the_logs(
    api: Api, clock: FrozenClock, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    _, secret, codes = await enrolled(api, clock)
    token = await mfa_token(api)
    await second_step(api, token, "000000")
    await second_step(api, token, codes[2])
    await second_step(api, await mfa_token(api), code(secret, clock.now()))

    written = caplog.text + "".join(capsys.readouterr())

    assert "mfa." in written or "login." in written, "the audit lines were logged"
    for value in [secret, token, *codes, *(c.replace("-", "") for c in codes)]:
        assert value not in written
