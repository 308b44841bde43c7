from __future__ import annotations

from datetime import UTC, datetime

from tests.http.conftest import PASSWORD, Api, answer_body, bearer


async def test_login_by_email_returns_a_bearer_token_pair(api: Api) -> None:
    await api.register()
    pair = await api.log_in("ADA@example.org")
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 15 * 60
    assert len(pair["refresh_token"]) >= 43  # 256 bits, base64url
    assert pair["access_token"].count(".") == 2


async def test_login_by_username_works(api: Api) -> None:
    await api.register()
    pair = await api.log_in("Ada")
    me = await api.client.get("/auth/me", headers=bearer(pair))
    assert me.status_code == 200


async def test_login_accepts_the_oauth2_password_form_on_both_urls(api: Api) -> None:
    await api.register()
    for path in ("/auth/login", "/token"):
        response = await api.client.post(path, data={"username": "ada@example.org", "password": PASSWORD})
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "bearer"
        assert response.headers["cache-control"] == "no-store"


async def test_the_oauth2_form_may_carry_the_other_password_grant_fields_and_a_device_token(api: Api) -> None:
    await api.register()
    first = await api.client.post("/token", data={"username": "ada", "password": PASSWORD})
    form = {
        "grant_type": "password", "username": "ada", "password": PASSWORD, "scope": "", "client_id": "swagger",
        "client_secret": "", "device_token": first.json()["device_token"],
    }  # fmt: skip
    response = await api.client.post("/token", data=form)
    assert response.status_code == 200, response.text
    assert response.json()["device_token"] == first.json()["device_token"]
    # The client credentials grant is a service account's (tests/http/test_service_accounts.py): no such client.
    other_grant = await api.client.post("/token", data={**form, "grant_type": "client_credentials"})
    assert other_grant.status_code == 401
    assert other_grant.json()["error"] == "invalid_client"
    on_login = await api.client.post("/auth/login", data={**form, "grant_type": "client_credentials"})
    assert on_login.status_code == 422


async def test_unknown_account_and_wrong_password_answer_the_same(api: Api) -> None:
    await api.register()
    wrong = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-Pass-1"})
    unknown = await api.client.post("/auth/login", json={"email": "nobody@example.org", "password": "Wrong-Pass-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert answer_body(wrong) == answer_body(unknown)
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"]
    assert wrong.headers["www-authenticate"].startswith("Bearer")


async def test_login_without_an_identifier_is_a_validation_error(api: Api) -> None:
    response = await api.client.post("/auth/login", json={"password": PASSWORD})
    assert response.status_code == 422


async def test_login_for_a_deactivated_account_is_forbidden_only_after_the_right_password(api: Api) -> None:
    user = await api.register()
    store = api.adapters.store()
    store.users[user["id"]].is_active = False
    wrong = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-Pass-1"})
    right = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    assert wrong.status_code == 401
    assert right.status_code == 403
    assert right.json()["type"] == "urn:bastion:problem:account_disabled"


async def test_login_stamps_last_login(api: Api) -> None:
    await api.register()
    pair = await api.log_in()
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()
    assert me["last_login"] is not None
    assert datetime.fromisoformat(me["last_login"]).tzinfo is not None
    assert datetime.fromisoformat(me["last_login"]) <= datetime.now(UTC)
