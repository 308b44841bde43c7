"""Passkeys over HTTP: registration, listing, renaming, removal, and what they change for the account."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from typing import Any

import pytest

from adapters.memory.clock import FrozenClock
from tests.http.conftest import PASSWORD, Api, answer_body, bearer
from tests.http.mfa_steps import START, audit, enrolled, frozen_clock
from tests.http.passkey_steps import RP_ID, authenticator, registered, registration_options
from tests.webauthn_authenticator import b64url


async def _register_with(api: Api, pair: dict[str, Any], begun: dict[str, Any], credential: dict[str, Any]) -> Any:
    return await api.client.post(
        "/auth/passkeys/register",
        json={"challenge_id": begun["challenge_id"], "credential": credential},
        headers=bearer(pair),
    )


async def test_registration_options_name_the_relying_party_and_the_account_and_require_verification(
    api: Api,
) -> None:
    pair = await api.registered_and_logged_in()
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()

    begun = await registration_options(api, pair)

    options = begun["options"]
    assert options["rp"] == {"id": RP_ID, "name": "Bastion"}
    assert options["user"]["id"] == b64url(uuid.UUID(me["id"]).bytes)
    assert options["user"]["name"] == "ada@example.org"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["attestation"] == "none"
    assert {parameter["alg"] for parameter in options["pubKeyCredParams"]} >= {-7, -8}
    assert options["excludeCredentials"] == []
    assert len(base64.urlsafe_b64decode(options["challenge"] + "==")) >= 16
    assert begun["challenge_id"]


async def test_a_wrong_password_for_the_options_is_400_and_audited(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    response = await api.client.post(
        "/auth/passkeys/register/options", json={"password": "Wrong-Horse-9"}, headers=bearer(pair)
    )

    assert response.status_code == 400
    assert answer_body(response)["type"].endswith("wrong_password")
    assert audit(api, "password.check_failed")[-1]["purpose"] == "passkey_register"


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
async def test_a_registered_passkey_is_listed_turns_mfa_on_and_is_excluded_from_new_options(api: Api, alg: Any) -> None:
    pair = await api.registered_and_logged_in()
    device = authenticator()

    passkey, held = await registered(api, pair, device, alg=alg, name="  Laptop  ")

    assert set(passkey) == {"id", "name", "created_at", "last_used_at"}
    assert passkey["name"] == "Laptop"
    assert passkey["last_used_at"] is None
    listed = await api.client.get("/auth/passkeys", headers=bearer(pair))
    assert listed.json() == [passkey]
    status = await api.client.get("/auth/mfa", headers=bearer(pair))
    assert status.json() == {"totp": False, "passkeys": 1, "recovery_codes_left": 0}
    assert (await api.client.get("/auth/me", headers=bearer(pair))).json()["mfa_enabled"] is True
    excluded = (await registration_options(api, pair))["options"]["excludeCredentials"]
    assert [item["id"] for item in excluded] == [b64url(held.credential_id)]
    assert audit(api, "passkey.registered")[-1]["passkey_id"] == passkey["id"]


async def test_a_passkey_without_a_name_is_called_passkey(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    passkey, _ = await registered(api, pair, authenticator())

    assert passkey["name"] == "Passkey"


@pytest.mark.parametrize(
    "tampering",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://localhost:8001"},
        {"rp_id": "evil.example"},
        {"challenge": b"another challenge of 32 bytes..."},
        {"client_data_type": "webauthn.get"},
        {"user_verified": False},
        {"user_present": False},
    ],
    ids=["foreign-origin", "other-port", "rp-id", "challenge", "type", "no-uv", "no-up"],
)
async def test_a_registration_that_does_not_verify_is_400_and_stores_nothing(
    api: Api, tampering: dict[str, Any]
) -> None:
    pair = await api.registered_and_logged_in()
    begun = await registration_options(api, pair)
    credential, _ = authenticator().register(begun["options"], **tampering)

    response = await _register_with(api, pair, begun, credential)

    assert response.status_code == 400
    assert answer_body(response)["type"].endswith("passkey_refused")
    assert (await api.client.get("/auth/passkeys", headers=bearer(pair))).json() == []


async def test_a_registration_challenge_is_single_use(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    device = authenticator()
    begun = await registration_options(api, pair)
    credential, _ = device.register(begun["options"])
    assert (await _register_with(api, pair, begun, credential)).status_code == 201
    again, _ = authenticator().register(begun["options"])

    replayed = await _register_with(api, pair, begun, again)

    assert replayed.status_code == 400


async def test_a_challenge_is_answerable_for_five_minutes(api: Api) -> None:
    clock: FrozenClock = frozen_clock(api)
    pair = await api.registered_and_logged_in()
    begun = await registration_options(api, pair)
    credential, _ = authenticator().register(begun["options"])
    clock.advance(timedelta(minutes=5))

    response = await _register_with(api, pair, begun, credential)

    assert response.status_code == 400
    assert clock.now() == START + timedelta(minutes=5)


async def test_another_accounts_challenge_cannot_register_a_passkey(api: Api) -> None:
    ada = await api.registered_and_logged_in()
    await api.register("bob@example.org", "bob")
    bob = await api.log_in("bob@example.org")
    begun = await registration_options(api, ada)
    credential, _ = authenticator().register(begun["options"])

    response = await _register_with(api, bob, begun, credential)

    assert response.status_code == 400
    assert (await api.client.get("/auth/passkeys", headers=bearer(bob))).json() == []


async def test_a_credential_registered_before_is_refused_for_any_account(api: Api) -> None:
    ada = await api.registered_and_logged_in()
    await api.register("bob@example.org", "bob")
    bob = await api.log_in("bob@example.org")
    _, held = await registered(api, ada, authenticator())

    begun = await registration_options(api, bob)
    credential, _ = authenticator().register(begun["options"], credential_id=held.credential_id)
    response = await _register_with(api, bob, begun, credential)

    assert response.status_code == 400


async def test_malformed_credentials_are_refused_with_400_and_a_credential_that_is_no_object_with_422(
    api: Api,
) -> None:
    pair = await api.registered_and_logged_in()
    for credential in ({}, {"id": "x", "rawId": "x", "type": "public-key", "response": {}}, {"id": "\x00" * 100}):
        begun = await registration_options(api, pair)
        response = await _register_with(api, pair, begun, credential)
        assert response.status_code == 400, response.text
    begun = await registration_options(api, pair)
    not_an_object = await api.client.post(
        "/auth/passkeys/register",
        json={"challenge_id": begun["challenge_id"], "credential": "a string"},
        headers=bearer(pair),
    )
    assert not_an_object.status_code == 422


async def test_rename_changes_the_name_of_ones_own_passkey_only(api: Api) -> None:
    ada = await api.registered_and_logged_in()
    await api.register("bob@example.org", "bob")
    bob = await api.log_in("bob@example.org")
    passkey, _ = await registered(api, ada, authenticator())

    renamed = await api.client.patch(f"/auth/passkeys/{passkey['id']}", json={"name": "Phone"}, headers=bearer(ada))
    foreign = await api.client.patch(f"/auth/passkeys/{passkey['id']}", json={"name": "Mine"}, headers=bearer(bob))
    too_long = await api.client.patch(f"/auth/passkeys/{passkey['id']}", json={"name": "x" * 65}, headers=bearer(ada))
    unknown = await api.client.patch("/auth/passkeys/nothing-like-it", json={"name": "x"}, headers=bearer(ada))

    assert renamed.status_code == 200
    assert renamed.json() == {**passkey, "name": "Phone"}
    assert foreign.status_code == 404
    assert answer_body(foreign)["type"].endswith("passkey_not_found")
    assert too_long.status_code == 422
    assert unknown.status_code == 404
    assert (await api.client.get("/auth/passkeys", headers=bearer(ada))).json()[0]["name"] == "Phone"


async def test_delete_needs_the_password_refuses_another_accounts_passkey_and_turns_mfa_off_with_the_last(
    api: Api,
) -> None:
    ada = await api.registered_and_logged_in()
    await api.register("bob@example.org", "bob")
    bob = await api.log_in("bob@example.org")
    passkey, _ = await registered(api, ada, authenticator())
    path = f"/auth/passkeys/{passkey['id']}"

    wrong = await api.client.request("DELETE", path, json={"password": "Wrong-Horse-9"}, headers=bearer(ada))
    foreign = await api.client.request("DELETE", path, json={"password": PASSWORD}, headers=bearer(bob))
    deleted = await api.client.request("DELETE", path, json={"password": PASSWORD}, headers=bearer(ada))
    again = await api.client.request("DELETE", path, json={"password": PASSWORD}, headers=bearer(ada))

    assert (wrong.status_code, foreign.status_code, deleted.status_code, again.status_code) == (400, 404, 204, 404)
    assert (await api.client.get("/auth/passkeys", headers=bearer(ada))).json() == []
    assert (await api.client.get("/auth/me", headers=bearer(ada))).json()["mfa_enabled"] is False
    assert audit(api, "passkey.deleted")[-1] == {"passkey_id": passkey["id"], "mfa_enabled": False}


async def test_deleting_a_passkey_keeps_mfa_on_while_totp_is(api: Api) -> None:
    clock = frozen_clock(api)
    pair, _, _ = await enrolled(api, clock)
    passkey, _ = await registered(api, pair, authenticator())

    deleted = await api.client.request(
        "DELETE", f"/auth/passkeys/{passkey['id']}", json={"password": PASSWORD}, headers=bearer(pair)
    )

    assert deleted.status_code == 204
    assert (await api.client.get("/auth/me", headers=bearer(pair))).json()["mfa_enabled"] is True


async def test_the_export_lists_the_passkeys_without_keys_or_credential_ids(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    passkey, held = await registered(api, pair, authenticator(), name="Laptop")

    export = (await api.client.get("/auth/me/export", headers=bearer(pair))).json()

    assert export["passkeys"] == [passkey]
    assert b64url(held.credential_id) not in str(export)


async def test_an_account_has_at_most_twenty_passkeys(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    for _ in range(20):
        await registered(api, pair, authenticator())

    response = await api.client.post(
        "/auth/passkeys/register/options", json={"password": PASSWORD}, headers=bearer(pair)
    )

    assert response.status_code == 409
    assert answer_body(response)["type"].endswith("too_many_passkeys")
