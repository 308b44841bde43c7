"""Personal API keys over HTTP: making, listing and revoking them, and what a key may and may not do."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from application.auth.register_user import RegisterUser
from tests.http.conftest import PASSWORD, Api, answer_body, bearer, make_settings, memory_api
from tests.http.mfa_steps import audit, frozen_clock

TASK = {"title": "Water the plants"}


async def _key(api: Api, pair: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await api.client.post(
        "/auth/api-keys", json={"name": "script", "scopes": ["tasks:read"], **body}, headers=bearer(pair)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _with(key: dict[str, Any], header: str = "authorization") -> dict[str, str]:
    if header == "authorization":
        return {"Authorization": f"Bearer {key['key']}"}
    return {"X-API-Key": key["key"]}


async def test_a_new_key_is_shown_once_with_its_prefix_and_listed_without_it(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    key = await _key(api, pair, name=" deploy bot ", scopes=["tasks:write", "tasks:read"], expires_in_days=30)

    assert set(key) == {
        "id", "name", "key", "prefix", "scopes", "expires_at", "allowed_ips", "created_at", "last_used_at"
    }  # fmt: skip
    assert re.fullmatch(r"bst_[A-Za-z0-9_-]{51}", key["key"])
    assert key["prefix"] == key["key"][:12]
    assert (key["name"], key["scopes"], key["allowed_ips"], key["last_used_at"]) == (
        "deploy bot", ["tasks:read", "tasks:write"], [], None
    )  # fmt: skip
    assert key["expires_at"] is not None
    listed = (await api.client.get("/auth/api-keys", headers=bearer(pair))).json()
    assert listed == [{field: value for field, value in key.items() if field != "key"}]
    assert audit(api, "api_key.created")[-1] == {"key_id": key["id"], "scopes": "tasks:read tasks:write"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"scopes": ["tasks:delete"]}, ["scopes"]),
        ({"scopes": []}, ["scopes"]),
        ({"allowed_ips": ["10.0.0.0/33"]}, ["allowed_ips"]),
        ({"allowed_ips": ["not an address"]}, ["allowed_ips"]),
        ({"expires_in_days": 0}, ["expires_in_days"]),
        ({"name": "   ", "scopes": ["admin"], "expires_in_days": 4000}, ["name", "scopes", "expires_in_days"]),
    ],
)
async def test_every_broken_rule_of_a_new_key_is_listed(api: Api, body: dict[str, Any], fields: list[str]) -> None:
    pair = await api.registered_and_logged_in()

    response = await api.client.post(
        "/auth/api-keys", json={"name": "script", "scopes": ["tasks:read"], **body}, headers=bearer(pair)
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == fields


async def test_an_account_has_at_most_fifty_unrevoked_keys(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    keys = [await _key(api, pair) for _ in range(50)]

    refused = await api.client.post(
        "/auth/api-keys", json={"name": "x", "scopes": ["tasks:read"]}, headers=bearer(pair)
    )
    revoked = await api.client.delete(f"/auth/api-keys/{keys[0]['id']}", headers=bearer(pair))
    allowed = await api.client.post(
        "/auth/api-keys", json={"name": "x", "scopes": ["tasks:read"]}, headers=bearer(pair)
    )

    assert (refused.status_code, revoked.status_code, allowed.status_code) == (409, 204, 201)
    assert answer_body(refused)["type"].endswith("too_many_api_keys")


@pytest.mark.parametrize("header", ["authorization", "x-api-key"])
async def test_a_key_reads_and_writes_tasks_within_its_scopes(api: Api, header: str) -> None:
    pair = await api.registered_and_logged_in()
    reader = await _key(api, pair, scopes=["tasks:read"])
    writer = await _key(api, pair, scopes=["tasks:write"])

    created = await api.client.post("/tasks", json=TASK, headers=_with(writer, header))
    listed = await api.client.get("/tasks", headers=_with(reader, header))
    one = await api.client.get(f"/tasks/{created.json()['id']}", headers=_with(reader, header))
    refused_write = await api.client.post("/tasks", json=TASK, headers=_with(reader, header))
    refused_read = await api.client.get("/tasks", headers=_with(writer, header))

    assert (created.status_code, listed.status_code, one.status_code) == (201, 200, 200)
    assert [task["title"] for task in listed.json()["items"]] == [TASK["title"]]
    assert (refused_write.status_code, refused_read.status_code) == (403, 403)
    assert answer_body(refused_write) == {
        "status": 403,
        "type": "urn:bastion:problem:insufficient_scope",
        "title": "The API key does not allow this.",
        "detail": "The API key does not allow this.",
    }
    assert audit(api, "api_key.refused")[-1] == {"key_id": writer["id"], "reason": "scope"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/auth/me", None),
        ("PATCH", "/auth/me", {"full_name": "Mallory"}),
        ("POST", "/auth/change-password", {"current_password": PASSWORD, "new_password": "Another-Horse-9"}),
        ("GET", "/auth/sessions", None),
        ("POST", "/auth/logout-all", None),
        ("GET", "/auth/api-keys", None),
        ("POST", "/auth/api-keys", {"name": "escalate", "scopes": ["tasks:write"]}),
        ("GET", "/auth/mfa", None),
        ("GET", "/auth/passkeys", None),
        ("GET", "/auth/me/export", None),
        ("GET", "/admin/users", None),
    ],
)
async def test_a_key_with_every_scope_is_refused_on_the_account_and_administration(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    await api.use_cases.create_admin().handle(
        RegisterUser(email="root@example.org", username="root", password=PASSWORD)
    )
    admin = await api.log_in("root")
    key = await _key(api, admin, scopes=["tasks:read", "tasks:write"])

    response = await api.client.request(method, path, json=body, headers=_with(key))

    assert response.status_code == 403, response.text
    assert answer_body(response)["type"].endswith("insufficient_scope")
    assert (await api.client.get("/auth/api-keys", headers=bearer(admin))).json()[0]["id"] == key["id"]


async def test_a_key_is_no_caller_of_logout(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    key = await _key(api, pair)

    logout = await api.client.post("/auth/logout", json={"refresh_token": "unknown"}, headers=_with(key))

    assert logout.status_code == 204
    assert (await api.client.get("/tasks", headers=_with(key))).status_code == 200


async def test_a_revoked_key_stops_at_once_and_another_accounts_key_is_404(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    await api.register("bob@example.org", "bob")
    bob = await api.log_in("bob@example.org")
    key = await _key(api, pair)
    assert (await api.client.get("/tasks", headers=_with(key))).status_code == 200

    foreign = await api.client.delete(f"/auth/api-keys/{key['id']}", headers=bearer(bob))
    revoked = await api.client.delete(f"/auth/api-keys/{key['id']}", headers=bearer(pair))
    again = await api.client.delete(f"/auth/api-keys/{key['id']}", headers=bearer(pair))
    used = await api.client.get("/tasks", headers=_with(key))

    assert (foreign.status_code, revoked.status_code, again.status_code) == (404, 204, 404)
    assert used.status_code == 401
    assert (await api.client.get("/auth/api-keys", headers=bearer(pair))).json() == []
    assert audit(api, "api_key.revoked")[-1] == {"key_id": key["id"], "by": "owner"}
    assert audit(api, "api_key.refused")[-1] == {"key_id": key["id"], "reason": "revoked"}


async def test_an_expired_key_is_refused(api: Api) -> None:
    clock = frozen_clock(api)
    pair = await api.registered_and_logged_in()
    key = await _key(api, pair, expires_in_days=1)
    assert (await api.client.get("/tasks", headers=_with(key))).status_code == 200

    clock.advance(timedelta(days=1))

    assert (await api.client.get("/tasks", headers=_with(key))).status_code == 401
    assert audit(api, "api_key.refused")[-1] == {"key_id": key["id"], "reason": "expired"}


@pytest.mark.parametrize(
    ("peer", "allowed", "accepted"),
    [
        ("192.0.2.7", ["192.0.2.7"], True),
        ("192.0.2.7", ["192.0.2.0/24", "2001:db8::/32"], True),
        ("2001:db8::5", ["192.0.2.0/24", "2001:db8::/32"], True),
        ("192.0.2.7", ["10.0.0.0/8"], False),
        ("2001:db8::5", ["2001:db9::/32"], False),
        ("192.0.2.7", [], True),
    ],
)
async def test_a_key_with_ranges_works_only_from_them(peer: str, allowed: list[str], accepted: bool) -> None:
    async with memory_api(make_settings(), peer=peer) as api:
        pair = await api.registered_and_logged_in()
        key = await _key(api, pair, allowed_ips=allowed)

        response = await api.client.get("/tasks", headers=_with(key))

        assert response.status_code == (200 if accepted else 401)
        if not accepted:
            assert audit(api, "api_key.refused")[-1] == {"key_id": key["id"], "reason": "ip_not_allowed"}


async def test_a_key_with_ranges_is_refused_when_the_client_address_is_unknown(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    key = await _key(api, pair, allowed_ips=["0.0.0.0/0", "::/0"])

    assert (await api.client.get("/tasks", headers=_with(key))).status_code == 401


async def test_verify_answers_who_a_key_acts_for_and_its_scopes(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()
    key = await _key(api, pair, scopes=["tasks:write", "tasks:read"])

    verified = await api.client.get("/auth/verify", headers=_with(key, "x-api-key"))

    assert verified.status_code == 204
    assert verified.headers["X-Auth-User-Id"] == me["id"]
    assert verified.headers["X-Auth-Key-Id"] == key["id"]
    assert verified.headers["X-Auth-Scopes"] == "tasks:read tasks:write"
    assert "X-Auth-Session-Id" not in verified.headers
    await api.client.delete(f"/auth/api-keys/{key['id']}", headers=bearer(pair))
    assert (await api.client.get("/auth/verify", headers=_with(key))).status_code == 401


async def test_deactivating_or_deleting_the_owner_ends_the_keys(api: Api) -> None:
    await api.use_cases.create_admin().handle(
        RegisterUser(email="root@example.org", username="root", password=PASSWORD)
    )
    admin = await api.log_in("root")
    pair = await api.registered_and_logged_in()
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()
    key = await _key(api, pair)
    assert (await api.client.get("/auth/verify", headers=_with(key))).status_code == 204

    deactivated = await api.client.patch(f"/admin/users/{me['id']}", json={"is_active": False}, headers=bearer(admin))
    await api.client.patch(f"/admin/users/{me['id']}", json={"is_active": True}, headers=bearer(admin))

    assert deactivated.status_code == 200
    assert (await api.client.get("/auth/verify", headers=_with(key))).status_code == 401
    assert (await api.client.get("/tasks", headers=_with(key))).status_code == 401


async def test_last_used_at_is_written_in_batches(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    key = await _key(api, pair)
    for _ in range(3):
        assert (await api.client.get("/tasks", headers=_with(key))).status_code == 200
    assert (await api.client.get("/auth/api-keys", headers=bearer(pair))).json()[0]["last_used_at"] is None

    written = await api.use_cases.record_api_key_uses().handle()

    assert written == 1
    assert (await api.client.get("/auth/api-keys", headers=bearer(pair))).json()[0]["last_used_at"] is not None


@pytest.mark.parametrize(
    "credential",
    [
        "bst_",
        "bst_" + "A" * 51,
        "bst_" + "\x00" * 51,
        "bst_" + "A" * 10_000,
        "bst_" + "é" * 51,
        "bst_" + "A" * 50 + "!",
    ],
)
async def test_malformed_or_forged_keys_are_401_without_a_lookup(
    api: Api, credential: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.memory.api_keys import MemoryApiKeyRepository

    lookups: list[str] = []
    original = MemoryApiKeyRepository.by_hash

    async def counted(self: Any, key_hash: str) -> Any:
        lookups.append(key_hash)
        return await original(self, key_hash)

    monkeypatch.setattr(MemoryApiKeyRepository, "by_hash", counted)

    response = await api.client.get("/tasks", headers={"X-API-Key": credential.encode()})

    assert response.status_code == 401
    assert lookups == []


async def test_an_unknown_genuine_key_is_looked_up_once_then_remembered_briefly(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.memory.api_keys import MemoryApiKeyRepository

    lookups: list[str] = []
    original = MemoryApiKeyRepository.by_hash

    async def counted(self: Any, key_hash: str) -> Any:
        lookups.append(key_hash)
        return await original(self, key_hash)

    monkeypatch.setattr(MemoryApiKeyRepository, "by_hash", counted)
    never_stored = api.adapters.api_key_codec().new_key()

    answers = [(await api.client.get("/tasks", headers={"X-API-Key": never_stored})).status_code for _ in range(5)]

    assert answers == [401] * 5
    assert len(lookups) == 1


async def test_a_key_is_read_once_and_then_served_from_the_cache(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.memory.api_keys import MemoryApiKeyRepository

    pair = await api.registered_and_logged_in()
    key = await _key(api, pair)
    lookups: list[str] = []
    original = MemoryApiKeyRepository.by_hash

    async def counted(self: Any, key_hash: str) -> Any:
        lookups.append(key_hash)
        return await original(self, key_hash)

    monkeypatch.setattr(MemoryApiKeyRepository, "by_hash", counted)

    answers = [(await api.client.get("/auth/verify", headers=_with(key))).status_code for _ in range(5)]

    assert answers == [204] * 5
    assert len(lookups) == 1


async def test_the_metrics_count_key_checks_by_result(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    key = await _key(api, pair)
    await api.client.get("/tasks", headers=_with(key))
    await api.client.post("/tasks", json=TASK, headers=_with(key))
    await api.client.get("/tasks", headers={"X-API-Key": "bst_nothing"})

    text = (await api.client.get("/metrics")).text

    assert 'bastion_api_key_auth_total{result="success"} 1.0' in text
    assert 'bastion_api_key_auth_total{result="scope"} 1.0' in text
    assert 'bastion_api_key_auth_total{result="invalid"} 1.0' in text


async def test_the_export_lists_the_keys_without_the_keys_themselves(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    key = await _key(api, pair, name="backup script")

    export = (await api.client.get("/auth/me/export", headers=bearer(pair))).json()

    assert export["api_keys"] == [{field: value for field, value in key.items() if field != "key"}]
    assert key["key"] not in str(export)
