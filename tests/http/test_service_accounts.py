"""Service accounts over HTTP: their administration, the client credentials grant on POST /token,
and what their tokens may and may not do."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import quote_plus

import pytest

from application.auth.register_user import RegisterUser
from tests.http.conftest import PASSWORD, Api, answer_body, bearer
from tests.http.mfa_steps import audit

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _admin(api: Api) -> dict[str, Any]:
    await api.use_cases.create_admin().handle(
        RegisterUser(email="root@example.org", username="root", password=PASSWORD)
    )
    return await api.log_in("root")


async def _account(api: Api, admin: dict[str, Any], scopes: list[str] | None = None) -> dict[str, Any]:
    body = {"name": "billing sync", "scopes": scopes or ["tasks:read"]}
    response = await api.client.post("/admin/service-accounts", json=body, headers=bearer(admin))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _basic(client_id: str, client_secret: str) -> dict[str, str]:
    credentials = f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(credentials).decode()}


async def _grant(api: Api, account: dict[str, Any], *, secret: str | None = None, **form: str) -> Any:
    headers = _basic(account["client_id"], secret if secret is not None else account["client_secret"])
    return await api.client.post("/token", data={"grant_type": "client_credentials", **form}, headers=headers)


async def _token(api: Api, account: dict[str, Any], **form: str) -> dict[str, Any]:
    response = await _grant(api, account, **form)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _claims(access_token: str) -> dict[str, Any]:
    payload = access_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def test_a_new_account_shows_its_secret_once_and_is_listed_without_it(api: Api) -> None:
    admin = await _admin(api)

    account = await _account(api, admin, ["tasks:write", "tasks:read"])

    assert set(account) == {"id", "name", "client_id", "client_secret", "scopes", "created_at"}
    assert re.fullmatch(r"svc_[A-Za-z0-9_-]{22}", account["client_id"])
    assert len(account["client_secret"]) >= 43
    assert account["scopes"] == ["tasks:read", "tasks:write"]
    listed = (await api.client.get("/admin/service-accounts", headers=bearer(admin))).json()
    assert listed == [
        {**{key: value for key, value in account.items() if key != "client_secret"}, "secret_rotated_at": None}
    ]
    assert account["client_secret"] not in json.dumps(listed)
    stored = api.adapters.store().service_accounts[account["id"]]
    assert stored.secret_hash != account["client_secret"]
    assert audit(api, "service_account.created")[-1]["client_id"] == account["client_id"]


async def test_broken_rules_of_a_new_account_are_listed(api: Api) -> None:
    admin = await _admin(api)

    response = await api.client.post(
        "/admin/service-accounts", json={"name": "  ", "scopes": ["admin"]}, headers=bearer(admin)
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["name", "scopes"]


async def test_a_plain_user_gets_403_on_the_service_account_routes(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    body = {"name": "x", "scopes": ["tasks:read"]}
    answers = [
        await api.client.post("/admin/service-accounts", json=body, headers=bearer(pair)),
        await api.client.get("/admin/service-accounts", headers=bearer(pair)),
        await api.client.delete("/admin/service-accounts/some-id", headers=bearer(pair)),
        await api.client.post("/admin/service-accounts/some-id/rotate-secret", headers=bearer(pair)),
    ]

    assert [answer.status_code for answer in answers] == [403] * 4


async def test_the_grant_by_basic_gives_a_bearer_token_with_the_service_claims(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read", "tasks:write"])

    token = await _token(api, account)

    assert set(token) == {"access_token", "token_type", "expires_in", "scope"}
    assert (token["token_type"], token["expires_in"], token["scope"]) == ("bearer", 900, "tasks:read tasks:write")
    claims = _claims(token["access_token"])
    assert (claims["sub"], claims["client_id"], claims["scope"]) == (
        account["id"], account["client_id"], "tasks:read tasks:write"
    )  # fmt: skip
    assert claims["roles"] == []
    assert claims["exp"] - claims["iat"] == 900


async def test_the_grant_by_form_fields_works_alike(api: Api) -> None:
    account = await _account(api, await _admin(api))
    form = {"grant_type": "client_credentials", "client_id": account["client_id"]}

    response = await api.client.post("/token", data={**form, "client_secret": account["client_secret"]})

    assert response.status_code == 200, response.text
    assert _claims(response.json()["access_token"])["sub"] == account["id"]
    assert response.headers["cache-control"] == "no-store"


async def test_a_narrower_scope_may_be_asked_for(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read", "tasks:write"])

    token = await _token(api, account, scope="tasks:read")

    assert token["scope"] == "tasks:read"
    assert _claims(token["access_token"])["scope"] == "tasks:read"


async def test_a_scope_not_granted_is_invalid_scope(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read"])

    answers = [await _grant(api, account, scope=scope) for scope in ("tasks:write", "tasks:read admin", "x" * 2000)]

    assert [answer.status_code for answer in answers] == [400, 400, 400]
    assert {answer.json()["error"] for answer in answers} == {"invalid_scope"}


@pytest.mark.parametrize("how", ["wrong secret", "unknown client", "deleted client", "no credentials", "bad basic"])
async def test_a_wrong_client_is_401_invalid_client_with_a_basic_challenge(api: Api, how: str) -> None:
    admin = await _admin(api)
    account = await _account(api, admin)
    headers = _basic(account["client_id"], account["client_secret"])
    if how == "wrong secret":
        headers = _basic(account["client_id"], "not-the-secret")
    elif how == "unknown client":
        headers = _basic("svc_unknown", account["client_secret"])
    elif how == "deleted client":
        await api.client.delete(f"/admin/service-accounts/{account['id']}", headers=bearer(admin))
    elif how == "no credentials":
        headers = {}
    else:
        headers = {"Authorization": "Basic !!!not base64"}

    response = await api.client.post("/token", data={"grant_type": "client_credentials"}, headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="bastion"'
    assert response.headers["content-type"].startswith("application/problem+json")
    body = answer_body(response)
    assert (body["error"], body["type"]) == ("invalid_client", "urn:bastion:problem:invalid_client")
    assert "access_token" not in body


async def test_both_client_authentication_methods_at_once_are_invalid_request(api: Api) -> None:
    account = await _account(api, await _admin(api))

    response = await _grant(api, account, client_id=account["client_id"], client_secret=account["client_secret"])

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_an_unknown_grant_type_is_unsupported_grant_type(api: Api) -> None:
    response = await api.client.post("/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:device_code"})

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_the_password_grant_still_works_on_token(api: Api) -> None:
    await api.register()

    with_grant = await api.client.post(
        "/token", data={"grant_type": "password", "username": "ada", "password": PASSWORD}
    )
    without = await api.client.post("/token", data={"username": "ada", "password": PASSWORD})

    assert (with_grant.status_code, without.status_code) == (200, 200)
    assert "refresh_token" in with_grant.json()


async def test_a_service_token_reads_tasks_within_its_scope_and_nothing_beyond(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read"])
    headers = bearer(await _token(api, account))

    listed = await api.client.get("/tasks", headers=headers)
    created = await api.client.post("/tasks", json={"title": "x"}, headers=headers)

    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []
    assert created.status_code == 403
    assert created.json()["type"] == "urn:bastion:problem:insufficient_scope"


async def test_a_service_token_with_write_scope_keeps_tasks_of_its_own(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read", "tasks:write"])
    headers = bearer(await _token(api, account))

    created = await api.client.post("/tasks", json={"title": "Reconcile invoices"}, headers=headers)
    listed = await api.client.get("/tasks", headers=headers)

    assert created.status_code == 201, created.text
    assert [task["title"] for task in listed.json()["items"]] == ["Reconcile invoices"]


async def test_a_service_token_is_403_on_account_and_admin_routes(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read", "tasks:write"])
    headers = bearer(await _token(api, account))

    answers = [
        await api.client.get("/auth/me", headers=headers),
        await api.client.get("/auth/sessions", headers=headers),
        await api.client.post("/auth/api-keys", json={"name": "x", "scopes": ["tasks:read"]}, headers=headers),
        await api.client.get("/admin/users", headers=headers),
        await api.client.get("/admin/service-accounts", headers=headers),
    ]

    assert [answer.status_code for answer in answers] == [403] * 5


async def test_verify_answers_the_service_account_and_its_scopes(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read", "tasks:write"])
    token = await _token(api, account, scope="tasks:write")

    response = await api.client.get("/auth/verify", headers=bearer(token))

    assert response.status_code == 204
    assert response.headers["x-auth-user-id"] == account["id"]
    assert response.headers["x-auth-scopes"] == "tasks:write"
    assert "x-auth-session-id" not in response.headers


async def test_deleting_an_account_refuses_its_token_at_once(api: Api) -> None:
    admin = await _admin(api)
    account = await _account(api, admin)
    headers = bearer(await _token(api, account))
    assert (await api.client.get("/tasks", headers=headers)).status_code == 200

    deleted = await api.client.delete(f"/admin/service-accounts/{account['id']}", headers=bearer(admin))

    assert deleted.status_code == 204
    assert (await api.client.get("/tasks", headers=headers)).status_code == 401
    assert (await api.client.get("/auth/verify", headers=headers)).status_code == 401
    assert (await _grant(api, account)).status_code == 401
    assert (await api.client.get("/admin/service-accounts", headers=bearer(admin))).json() == []
    again = await api.client.delete(f"/admin/service-accounts/{account['id']}", headers=bearer(admin))
    assert again.status_code == 404
    assert audit(api, "service_account.deleted")[-1]["client_id"] == account["client_id"]


async def test_rotating_the_secret_refuses_the_old_one_and_keeps_issued_tokens(api: Api) -> None:
    admin = await _admin(api)
    account = await _account(api, admin)
    issued = bearer(await _token(api, account))

    rotated = await api.client.post(f"/admin/service-accounts/{account['id']}/rotate-secret", headers=bearer(admin))

    assert rotated.status_code == 200
    new_secret = rotated.json()["client_secret"]
    assert set(rotated.json()) == {"client_secret"}
    assert new_secret != account["client_secret"]
    assert (await _grant(api, account)).status_code == 401
    assert (await _grant(api, account, secret=new_secret)).status_code == 200
    assert (await api.client.get("/tasks", headers=issued)).status_code == 200
    listed = (await api.client.get("/admin/service-accounts", headers=bearer(admin))).json()
    assert listed[0]["secret_rotated_at"] is not None
    assert audit(api, "service_account.secret_rotated")[-1]["client_id"] == account["client_id"]


async def test_rotating_or_deleting_an_unknown_account_is_404(api: Api) -> None:
    admin = await _admin(api)

    answers = [
        await api.client.post("/admin/service-accounts/nope/rotate-secret", headers=bearer(admin)),
        await api.client.delete("/admin/service-accounts/nope", headers=bearer(admin)),
    ]

    assert [answer.status_code for answer in answers] == [404, 404]
    assert answers[0].json()["type"] == "urn:bastion:problem:service_account_not_found"


async def test_unknown_and_empty_form_parameters_are_ignored(api: Api) -> None:
    account = await _account(api, await _admin(api))

    response = await _grant(api, account, audience="billing", client_id="", scope="")

    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "tasks:read"


async def test_a_refused_grant_of_a_known_account_is_audited_with_its_reason(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read"])

    wrong_secret = await _grant(api, account, secret="not-the-secret")
    invalid_scope = await _grant(api, account, scope="tasks:write")

    assert (wrong_secret.status_code, invalid_scope.status_code) == (401, 400)
    assert audit(api, "service_account.refused") == [
        {"client_id": account["client_id"], "reason": "wrong_secret"},
        {"client_id": account["client_id"], "reason": "invalid_scope"},
    ]
    events = [event for event in api.adapters.store().audit_events.values() if event.type == "service_account.refused"]
    assert {event.user_id for event in events} == {account["id"]}
    assert "not-the-secret" not in json.dumps([dict(event.data) for event in events])


async def test_an_unknown_client_is_refused_without_an_audit_event(api: Api) -> None:
    account = await _account(api, await _admin(api))

    unknown = await api.client.post(
        "/token", data={"grant_type": "client_credentials"}, headers=_basic("svc_unknown", account["client_secret"])
    )
    no_credentials = await api.client.post("/token", data={"grant_type": "client_credentials"})

    assert (unknown.status_code, no_credentials.status_code) == (401, 401)
    assert audit(api, "service_account.refused") == []


async def test_the_metrics_count_grants_by_result(api: Api) -> None:
    account = await _account(api, await _admin(api), ["tasks:read"])
    await _grant(api, account)
    await _grant(api, account, scope="tasks:read")
    await _grant(api, account, secret="not-the-secret")
    await api.client.post("/token", data={"grant_type": "client_credentials"}, headers=_basic("svc_unknown", "x"))
    await api.client.post("/token", data={"grant_type": "client_credentials"})
    await _grant(api, account, scope="tasks:write")

    text = (await api.client.get("/metrics")).text

    assert 'bastion_client_credentials_total{result="success"} 2.0' in text
    assert 'bastion_client_credentials_total{result="invalid_client"} 3.0' in text
    assert 'bastion_client_credentials_total{result="invalid_scope"} 1.0' in text
