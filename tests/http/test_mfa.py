"""Two-factor authentication over HTTP: enrolment, the login step, recovery codes, turning it off,
the administrator's reset, and what the `amr` claim says."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from adapters.memory.clock import FrozenClock
from application.auth.register_user import RegisterUser
from tests.http.conftest import PASSWORD, Api, answer_body, bearer, make_settings, memory_api
from tests.http.mfa_steps import (
    START,
    STEP,
    audit,
    claims,
    code,
    enrolled,
    frozen_clock,
    mfa_token,
    second_step,
    set_up,
)


@pytest.fixture
def clock(api: Api) -> FrozenClock:
    return frozen_clock(api)


async def test_status_before_enrolment_has_nothing(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    status = await api.client.get("/auth/mfa", headers=bearer(pair))

    assert status.json() == {"totp": False, "passkeys": 0, "recovery_codes_left": 0}


async def test_setup_answers_a_160_bit_secret_its_uri_and_a_qr_code(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    setup = await set_up(api, pair)

    assert len(base64.b32decode(setup["secret"] + "=" * (-len(setup["secret"]) % 8))) == 20
    uri = urlsplit(setup["otpauth_uri"])
    assert (uri.scheme, uri.netloc, unquote(uri.path)) == ("otpauth", "totp", "/Bastion:ada@example.org")
    assert parse_qs(uri.query) == {"secret": [setup["secret"]], "issuer": ["Bastion"]}
    assert setup["qr_svg"].startswith("<svg")
    assert setup["qr_svg"].rstrip().endswith("</svg>")
    assert (await api.client.get("/auth/mfa", headers=bearer(pair))).json()["totp"] is False


async def test_setup_names_the_configured_issuer() -> None:
    async with memory_api(make_settings(mfa_issuer="Example Corp")) as api:
        setup = await set_up(api, await api.registered_and_logged_in())

    uri = urlsplit(setup["otpauth_uri"])
    assert unquote(uri.path) == "/Example Corp:ada@example.org"
    assert parse_qs(uri.query)["issuer"] == ["Example Corp"]


async def test_setup_with_a_wrong_password_is_400_and_audited(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    response = await api.client.post("/auth/mfa/totp/setup", json={"password": "Wrong-Pass-1"}, headers=bearer(pair))

    assert response.status_code == 400
    assert response.json()["type"] == "urn:bastion:problem:wrong_password"
    assert audit(api, "password.check_failed") == [{"purpose": "mfa_setup", "reason": "wrong_password"}]


async def test_confirm_with_a_wrong_code_is_400_and_audited(api: Api, clock: FrozenClock) -> None:
    pair = await api.registered_and_logged_in()
    secret = (await set_up(api, pair))["secret"]

    wrong = await api.client.post(
        "/auth/mfa/totp/confirm", json={"code": code(secret, clock.now() + 3 * STEP)}, headers=bearer(pair)
    )

    assert wrong.status_code == 400
    assert wrong.json()["type"] == "urn:bastion:problem:wrong_code"
    assert audit(api, "mfa.failed") == [{"purpose": "mfa_confirm", "reason": "wrong_code"}]
    assert (await api.client.get("/auth/mfa", headers=bearer(pair))).json()["totp"] is False


async def test_confirm_without_a_setup_is_409(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    response = await api.client.post("/auth/mfa/totp/confirm", json={"code": "123456"}, headers=bearer(pair))

    assert response.status_code == 409


async def test_confirming_turns_totp_on_with_ten_recovery_codes(api: Api, clock: FrozenClock) -> None:
    pair, _, codes = await enrolled(api, clock)

    assert len(codes) == 10 == len(set(codes))
    assert (await api.client.get("/auth/mfa", headers=bearer(pair))).json() == {
        "totp": True,
        "passkeys": 0,
        "recovery_codes_left": 10,
    }
    assert (await api.client.get("/auth/me", headers=bearer(pair))).json()["mfa_enabled"] is True
    assert audit(api, "mfa.enabled") == [{"method": "totp"}]


async def test_setup_while_totp_is_on_is_409(api: Api, clock: FrozenClock) -> None:
    pair, _, _ = await enrolled(api, clock)

    response = await api.client.post("/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer(pair))

    assert response.status_code == 409
    assert response.json()["type"] == "urn:bastion:problem:mfa_already_enabled"


async def test_a_new_setup_replaces_a_pending_one(api: Api, clock: FrozenClock) -> None:
    pair = await api.registered_and_logged_in()
    first = (await set_up(api, pair))["secret"]
    second = (await set_up(api, pair))["secret"]

    old = await api.client.post("/auth/mfa/totp/confirm", json={"code": code(first, clock.now())}, headers=bearer(pair))
    new = await api.client.post(
        "/auth/mfa/totp/confirm", json={"code": code(second, clock.now())}, headers=bearer(pair)
    )

    assert (first != second, old.status_code, new.status_code) == (True, 400, 200)


async def test_a_login_then_takes_a_second_step_that_gives_the_token_pair(api: Api, clock: FrozenClock) -> None:
    _, secret, _ = await enrolled(api, clock)
    token = await mfa_token(api)

    answer = await second_step(api, token, code(secret, clock.now()))

    assert answer.status_code == 200, answer.text
    pair = answer.json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in", "device_token"}
    assert claims(pair)["amr"] == ["pwd", "otp", "mfa"]
    assert [data.get("mfa_method") for data in audit(api, "login.succeeded")][-1] == "totp"


async def test_the_oauth2_form_gets_the_same_second_step(api: Api, clock: FrozenClock) -> None:
    await enrolled(api, clock)

    answer = await api.client.post("/token", data={"username": "ada", "password": PASSWORD})

    assert answer.status_code == 200
    assert set(answer.json()) == {"mfa_required", "mfa_token", "methods"}


async def test_a_refresh_keeps_the_amr_of_the_login(api: Api, clock: FrozenClock) -> None:
    _, secret, _ = await enrolled(api, clock)
    pair = (await second_step(api, await mfa_token(api), code(secret, clock.now()))).json()

    refreshed = await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})

    assert claims(refreshed.json())["amr"] == ["pwd", "otp", "mfa"]


async def test_a_password_login_says_pwd(api: Api) -> None:
    assert claims(await api.registered_and_logged_in())["amr"] == ["pwd"]


async def test_a_totp_code_is_accepted_once_even_within_its_30_seconds(api: Api, clock: FrozenClock) -> None:
    _, secret, _ = await enrolled(api, clock)
    current = code(secret, clock.now())
    assert (await second_step(api, await mfa_token(api), current)).status_code == 200
    clock.advance(timedelta(seconds=5))

    again = await second_step(api, await mfa_token(api), current)

    assert again.status_code == 401
    assert again.json()["type"] == "urn:bastion:problem:mfa_failed"
    assert (await second_step(api, await mfa_token(api), code(secret, clock.now() + STEP))).status_code == 200


async def test_a_recovery_code_works_once_and_says_so_in_amr(api: Api, clock: FrozenClock) -> None:
    _, _, codes = await enrolled(api, clock)

    first = await second_step(api, await mfa_token(api), codes[3].upper())
    again = await second_step(api, await mfa_token(api), codes[3])

    assert first.status_code == 200
    assert claims(first.json())["amr"] == ["pwd", "mfa"]
    assert again.status_code == 401
    status = await api.client.get("/auth/mfa", headers=bearer(first.json()))
    assert status.json()["recovery_codes_left"] == 9
    assert audit(api, "mfa.recovery_code_used") == [{"recovery_codes_left": 9}]


async def test_the_mfa_token_is_single_use(api: Api, clock: FrozenClock) -> None:
    _, secret, codes = await enrolled(api, clock)
    token = await mfa_token(api)
    assert (await second_step(api, token, code(secret, clock.now()))).status_code == 200

    assert (await second_step(api, token, codes[0])).status_code == 401


async def test_the_mfa_token_dies_after_five_wrong_codes(api: Api, clock: FrozenClock) -> None:
    _, secret, _ = await enrolled(api, clock)
    token = await mfa_token(api)
    wrong = [await second_step(api, token, "000000") for _ in range(5)]

    right = await second_step(api, token, code(secret, clock.now()))

    assert [answer.status_code for answer in wrong] == [401] * 5
    assert right.status_code == 401
    assert answer_body(right) == answer_body(wrong[0])


async def test_the_mfa_token_expires_after_five_minutes(api: Api, clock: FrozenClock) -> None:
    _, secret, _ = await enrolled(api, clock)
    token = await mfa_token(api)
    clock.advance(timedelta(minutes=5))

    assert (await second_step(api, token, code(secret, clock.now()))).status_code == 401


async def test_turning_totp_off_needs_the_password_and_a_code(api: Api, clock: FrozenClock) -> None:
    pair, secret, _ = await enrolled(api, clock)
    headers = bearer(pair)

    wrong_code = await api.client.request(
        "DELETE", "/auth/mfa/totp", json={"password": PASSWORD, "code": "000000"}, headers=headers
    )
    wrong_password = await api.client.request(
        "DELETE",
        "/auth/mfa/totp",
        json={"password": "Wrong-Pass-1", "code": code(secret, clock.now())},
        headers=headers,
    )
    turned_off = await api.client.request(
        "DELETE", "/auth/mfa/totp", json={"password": PASSWORD, "code": code(secret, clock.now())}, headers=headers
    )

    assert (wrong_code.status_code, wrong_password.status_code, turned_off.status_code) == (400, 400, 204)
    assert (await api.client.get("/auth/mfa", headers=headers)).json() == {
        "totp": False,
        "passkeys": 0,
        "recovery_codes_left": 0,
    }
    assert "access_token" in await api.log_in()
    assert audit(api, "mfa.disabled") == [{"by": "self"}]
    again = await api.client.request(
        "DELETE", "/auth/mfa/totp", json={"password": PASSWORD, "code": "000000"}, headers=headers
    )
    assert again.status_code == 409


async def test_a_recovery_code_can_turn_totp_off(api: Api, clock: FrozenClock) -> None:
    pair, _, codes = await enrolled(api, clock)

    response = await api.client.request(
        "DELETE", "/auth/mfa/totp", json={"password": PASSWORD, "code": codes[0]}, headers=bearer(pair)
    )

    assert response.status_code == 204


async def test_new_recovery_codes_replace_the_old_set(api: Api, clock: FrozenClock) -> None:
    pair, secret, old = await enrolled(api, clock)

    renewed = await api.client.post(
        "/auth/mfa/recovery-codes", json={"password": PASSWORD, "code": code(secret, clock.now())}, headers=bearer(pair)
    )

    new = renewed.json()["recovery_codes"]
    assert renewed.status_code == 200
    assert len(new) == 10
    assert not set(new) & set(old)
    assert (await second_step(api, await mfa_token(api), old[0])).status_code == 401
    assert (await second_step(api, await mfa_token(api), new[0])).status_code == 200
    assert audit(api, "mfa.recovery_codes_regenerated") == [{}]


async def _admin(api: Api) -> dict[str, Any]:
    await api.use_cases.create_admin().handle(
        RegisterUser(email="root@example.org", username="root", password=PASSWORD)
    )
    return await api.log_in("root")


async def test_an_admin_reset_turns_the_factor_off_and_ends_the_sessions(api: Api, clock: FrozenClock) -> None:
    pair, _, _ = await enrolled(api, clock)
    admin = await _admin(api)
    user_id = (await api.client.get("/auth/me", headers=bearer(pair))).json()["id"]

    reset = await api.client.post(f"/admin/users/{user_id}/mfa/reset", headers=bearer(admin))

    assert reset.status_code == 204
    assert (await api.client.get("/auth/me", headers=bearer(pair))).status_code == 401
    fresh = await api.log_in()
    assert "access_token" in fresh
    assert (await api.client.get("/auth/me", headers=bearer(fresh))).json()["mfa_enabled"] is False
    [event] = audit(api, "mfa.reset_by_admin")
    assert event["had_factor"] is True
    assert event["sessions_revoked"] == 1


async def test_an_admin_reset_of_an_unknown_user_is_404(api: Api) -> None:
    admin = await _admin(api)

    assert (await api.client.post("/admin/users/nobody/mfa/reset", headers=bearer(admin))).status_code == 404


async def test_admins_without_mfa_are_refused_when_it_is_required() -> None:
    async with memory_api(make_settings(mfa_required_for_admins=True)) as api:
        clock = FrozenClock(START)
        api.adapters.clock.override(clock)
        await api.use_cases.create_admin().handle(
            RegisterUser(email="ada@example.org", username="ada", password=PASSWORD)
        )
        password_only = await api.log_in()
        refused = await api.client.get("/admin/users", headers=bearer(password_only))
        secret = (await set_up(api, password_only))["secret"]
        await api.client.post(
            "/auth/mfa/totp/confirm", json={"code": code(secret, clock.now() - STEP)}, headers=bearer(password_only)
        )
        with_mfa = (await second_step(api, await mfa_token(api), code(secret, clock.now()))).json()
        allowed = await api.client.get("/admin/users", headers=bearer(with_mfa))

    assert refused.status_code == 403
    assert refused.json()["type"].endswith("mfa_required")
    assert allowed.status_code == 200


async def test_mfa_logins_are_counted_by_method_and_result(api: Api, clock: FrozenClock) -> None:
    _, secret, codes = await enrolled(api, clock)
    await second_step(api, await mfa_token(api), "000000")
    await second_step(api, await mfa_token(api), code(secret, clock.now()))
    await second_step(api, await mfa_token(api), codes[0])

    text = (await api.client.get("/metrics")).text

    assert 'bastion_mfa_total{method="totp",result="failure"} 1.0' in text
    assert 'bastion_mfa_total{method="totp",result="success"} 1.0' in text
    assert 'bastion_mfa_total{method="recovery_code",result="success"} 1.0' in text
