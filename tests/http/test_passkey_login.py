"""Logging in with a passkey over HTTP: passwordless, and as the second step after a password; every
refusal a relying party owes (origin, RP id, challenge, signature, counter, user handle, account)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from application.auth.register_user import RegisterUser
from tests.http.conftest import PASSWORD, Api, answer_body, bearer, make_settings, memory_api
from tests.http.mfa_steps import audit, claims, code, enrolled, frozen_clock
from tests.http.passkey_steps import (
    authenticator,
    login_options,
    mfa_options,
    password_step,
    passwordless,
    registered,
)
from tests.webauthn_authenticator import new_private_key


async def _ada_with_a_passkey(api: Api, **registration: Any) -> tuple[dict[str, Any], Any, Any]:
    pair = await api.registered_and_logged_in()
    device = authenticator()
    passkey, held = await registered(api, pair, device, **registration)
    return passkey, device, held


async def test_login_options_name_no_account_and_require_user_verification(api: Api) -> None:
    await _ada_with_a_passkey(api)

    begun = await login_options(api)

    assert begun["options"]["allowCredentials"] == []
    assert begun["options"]["userVerification"] == "required"
    assert begun["options"]["rpId"] == "localhost"
    assert begun["challenge_id"]


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
async def test_a_passkey_alone_logs_in_as_two_factors(api: Api, alg: Any) -> None:
    passkey, device, _ = await _ada_with_a_passkey(api, alg=alg)

    response = await passwordless(api, device)

    assert response.status_code == 200, response.text
    pair = response.json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in", "device_token"}
    assert claims(pair)["amr"] == ["hwk", "user", "mfa"]
    refreshed = await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert claims(refreshed.json())["amr"] == ["hwk", "user", "mfa"]
    listed = (await api.client.get("/auth/passkeys", headers=bearer(pair))).json()
    assert listed[0]["id"] == passkey["id"]
    assert listed[0]["last_used_at"] is not None
    assert audit(api, "login.succeeded")[-1]["method"] == "passkey"


async def test_a_login_challenge_cannot_be_answered_twice(api: Api) -> None:
    _, device, _ = await _ada_with_a_passkey(api)
    begun = await login_options(api)
    assertion = device.authenticate(begun["options"])
    body = {"challenge_id": begun["challenge_id"], "credential": assertion}

    first = await api.client.post("/auth/passkeys/login", json=body)
    replayed = await api.client.post("/auth/passkeys/login", json=body)

    assert first.status_code == 200
    assert replayed.status_code == 401
    assert answer_body(replayed)["type"].endswith("passkey_login_failed")


async def test_an_expired_login_challenge_is_refused(api: Api) -> None:
    clock = frozen_clock(api)
    _, device, _ = await _ada_with_a_passkey(api)
    begun = await login_options(api)
    assertion = device.authenticate(begun["options"])
    clock.advance(timedelta(minutes=5, seconds=1))

    response = await api.client.post(
        "/auth/passkeys/login", json={"challenge_id": begun["challenge_id"], "credential": assertion}
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("tampering", "reason"),
    [
        ({"origin": "https://evil.example"}, "bad_assertion"),
        ({"rp_id": "evil.example"}, "bad_assertion"),
        ({"challenge": b"a challenge the server never gave"}, "bad_assertion"),
        ({"client_data_type": "webauthn.create"}, "bad_assertion"),
        ({"user_verified": False}, "bad_assertion"),
        ({"signing_key": new_private_key("ES256")}, "bad_assertion"),
        ({"user_handle": b"\x00" * 16}, "user_handle_mismatch"),
        ({"omit_user_handle": True}, "user_handle_mismatch"),
    ],
    ids=["origin", "rp-id", "challenge", "type", "no-uv", "other-key", "user-handle", "no-user-handle"],
)
async def test_an_assertion_that_does_not_verify_is_401_and_audited(
    api: Api, tampering: dict[str, Any], reason: str
) -> None:
    _, device, _ = await _ada_with_a_passkey(api)

    response = await passwordless(api, device, **tampering)

    assert response.status_code == 401
    assert answer_body(response) == {
        "type": "urn:bastion:problem:passkey_login_failed",
        "title": "The passkey could not be verified.",
        "status": 401,
        "detail": "The passkey could not be verified.",
    }
    assert audit(api, "passkey.failed")[-1] == {"purpose": "login", "reason": reason}


async def test_a_signature_counter_that_goes_backwards_is_refused_and_audited_as_a_clone(api: Api) -> None:
    passkey, device, held = await _ada_with_a_passkey(api)
    assert (await passwordless(api, device, sign_count=7)).status_code == 200

    same = await passwordless(api, device, sign_count=7)
    lower = await passwordless(api, device, sign_count=3)
    higher = await passwordless(api, device, sign_count=8)

    assert (same.status_code, lower.status_code, higher.status_code) == (401, 401, 200)
    failures = audit(api, "passkey.failed")
    assert failures[-1] == {"purpose": "login", "reason": "counter_regressed", "passkey_id": passkey["id"]}
    assert held.sign_count == 8


async def test_a_passkey_without_a_counter_logs_in_again_and_again(api: Api) -> None:
    _, device, _ = await _ada_with_a_passkey(api, counts=False, backup_eligible=True, backed_up=True)

    answers = [(await passwordless(api, device)).status_code for _ in range(3)]

    assert answers == [200, 200, 200]


async def test_an_unknown_or_deleted_credential_is_refused(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    device = authenticator()
    passkey, _ = await registered(api, pair, device)
    deleted = await api.client.request(
        "DELETE", f"/auth/passkeys/{passkey['id']}", json={"password": PASSWORD}, headers=bearer(pair)
    )
    assert deleted.status_code == 204

    response = await passwordless(api, device)

    assert response.status_code == 401
    assert audit(api, "passkey.failed")[-1] == {"purpose": "login", "reason": "unknown_credential"}


async def test_a_deactivated_account_is_403_after_a_verified_passkey(api: Api) -> None:
    _, device, _ = await _ada_with_a_passkey(api)
    user = next(iter(api.adapters.store().users.values()))
    user.is_active = False

    response = await passwordless(api, device)

    assert response.status_code == 403
    assert audit(api, "login.failed")[-1] == {"reason": "account_disabled", "method": "passkey"}


async def test_an_unverified_email_is_403_when_verification_is_required() -> None:
    async with memory_api(make_settings(require_verified_email=True)) as api:
        await api.register()
        next(iter(api.adapters.store().users.values())).email_verified = True
        pair = await api.log_in()
        device = authenticator()
        await registered(api, pair, device)
        next(iter(api.adapters.store().users.values())).email_verified = False

        response = await passwordless(api, device)

        assert response.status_code == 403
        assert answer_body(response)["type"].endswith("email_not_verified")


async def test_malformed_assertions_answer_401_and_a_credential_that_is_no_object_422(api: Api) -> None:
    await _ada_with_a_passkey(api)
    for credential in ({}, {"id": "", "rawId": "", "type": "public-key", "response": {}}, {"id": "A" * 100_000}):
        begun = await login_options(api)
        response = await api.client.post(
            "/auth/passkeys/login", json={"challenge_id": begun["challenge_id"], "credential": credential}
        )
        assert response.status_code in {401, 413}, response.text
    unknown_challenge = await api.client.post(
        "/auth/passkeys/login", json={"challenge_id": "\x00" * 10, "credential": {}}
    )
    assert unknown_challenge.status_code == 401
    not_an_object = await api.client.post("/auth/passkeys/login", json={"challenge_id": "x", "credential": [1]})
    assert not_an_object.status_code == 422


# The second step of a password login.


async def test_a_password_login_on_an_account_with_only_a_passkey_asks_for_it(api: Api) -> None:
    await _ada_with_a_passkey(api)

    first = await password_step(api)

    assert first["mfa_required"] is True
    assert first["methods"] == ["webauthn"]


async def test_the_methods_list_totp_recovery_codes_and_passkeys_when_the_account_has_both(api: Api) -> None:
    clock = frozen_clock(api)
    pair, _, _ = await enrolled(api, clock)
    await registered(api, pair, authenticator())

    first = await password_step(api)

    assert first["methods"] == ["totp", "recovery_code", "webauthn"]


async def test_a_passkey_finishes_a_password_login(api: Api) -> None:
    _, device, held = await _ada_with_a_passkey(api)
    token = (await password_step(api))["mfa_token"]

    options = await mfa_options(api, token)
    assertion = device.authenticate(options.json()["options"])
    finished = await api.client.post("/auth/login/mfa", json={"mfa_token": token, "credential": assertion})

    assert options.status_code == 200
    allowed = options.json()["options"]["allowCredentials"]
    assert [item["id"] for item in allowed] == [assertion["id"]]
    assert options.json()["options"]["userVerification"] == "preferred"
    assert finished.status_code == 200, finished.text
    assert claims(finished.json())["amr"] == ["pwd", "hwk", "mfa"]
    assert audit(api, "login.succeeded")[-1]["mfa_method"] == "webauthn"
    assert held.sign_count == 1
    again = await api.client.post("/auth/login/mfa", json={"mfa_token": token, "credential": assertion})
    assert again.status_code == 401


async def test_user_verification_is_not_required_after_a_password(api: Api) -> None:
    _, device, _ = await _ada_with_a_passkey(api)
    token = (await password_step(api))["mfa_token"]
    options = (await mfa_options(api, token)).json()["options"]

    finished = await api.client.post(
        "/auth/login/mfa",
        json={"mfa_token": token, "credential": device.authenticate(options, user_verified=False)},
    )

    assert finished.status_code == 200


async def test_another_accounts_passkey_cannot_finish_the_login(api: Api) -> None:
    await _ada_with_a_passkey(api)
    await api.register("bob@example.org", "bob")
    bob = await api.log_in("bob@example.org")
    bobs_device = authenticator()
    _, bobs_credential = await registered(api, bob, bobs_device)
    token = (await password_step(api))["mfa_token"]
    options = (await mfa_options(api, token)).json()["options"]

    finished = await api.client.post(
        "/auth/login/mfa",
        json={"mfa_token": token, "credential": bobs_device.authenticate(options, bobs_credential)},
    )

    assert finished.status_code == 401
    assert answer_body(finished)["type"].endswith("mfa_failed")
    assert audit(api, "passkey.failed")[-1] == {"purpose": "login_mfa", "reason": "other_account"}


async def test_a_refused_assertion_at_the_second_step_uses_the_challenge_and_a_try(api: Api) -> None:
    _, device, _ = await _ada_with_a_passkey(api)
    token = (await password_step(api))["mfa_token"]
    options = (await mfa_options(api, token)).json()["options"]

    wrong = await api.client.post(
        "/auth/login/mfa",
        json={"mfa_token": token, "credential": device.authenticate(options, origin="https://evil.example")},
    )
    stale = await api.client.post(
        "/auth/login/mfa", json={"mfa_token": token, "credential": device.authenticate(options)}
    )
    fresh = (await mfa_options(api, token)).json()["options"]
    right = await api.client.post(
        "/auth/login/mfa", json={"mfa_token": token, "credential": device.authenticate(fresh)}
    )

    assert (wrong.status_code, stale.status_code, right.status_code) == (401, 401, 200)


async def test_options_for_a_dead_token_or_an_account_without_passkeys_are_401(api: Api) -> None:
    clock = frozen_clock(api)
    await enrolled(api, clock)
    token = (await password_step(api))["mfa_token"]

    no_passkey = await mfa_options(api, token)
    unknown = await mfa_options(api, "x" * 43)

    assert (no_passkey.status_code, unknown.status_code) == (401, 401)


async def test_the_second_step_takes_a_code_or_a_credential_not_both_nor_neither(api: Api) -> None:
    clock = frozen_clock(api)
    _, secret, _ = await enrolled(api, clock)
    token = (await password_step(api))["mfa_token"]

    both = await api.client.post(
        "/auth/login/mfa", json={"mfa_token": token, "code": code(secret, clock.now()), "credential": {}}
    )
    neither = await api.client.post("/auth/login/mfa", json={"mfa_token": token})

    assert (both.status_code, neither.status_code) == (422, 422)


async def test_an_admin_reset_keeps_the_passkeys_and_their_second_step(api: Api) -> None:
    clock = frozen_clock(api)
    pair, _, _ = await enrolled(api, clock)
    await registered(api, pair, authenticator())
    await api.use_cases.create_admin().handle(
        RegisterUser(email="root@example.org", username="root", password=PASSWORD)
    )
    admin = await api.log_in("root")
    user_id = (await api.client.get("/auth/me", headers=bearer(pair))).json()["id"]

    reset = await api.client.post(f"/admin/users/{user_id}/mfa/reset", headers=bearer(admin))

    assert reset.status_code == 204
    first = await password_step(api)
    assert first["methods"] == ["webauthn"]
