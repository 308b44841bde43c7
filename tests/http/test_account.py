from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FrozenClock
from domain.paging import Page
from tests.http.conftest import PASSWORD, Api, bearer, make_settings, memory_api

NEW_PASSWORD = "Another-Horse-7"


async def test_registration_mails_a_verification_link_that_verifies_the_email(api: Api) -> None:
    await api.register()
    token = await api.last_link_token("verify-email")
    mails = await api.delivered_mail()
    assert mails[-1].to == "ada@example.org"
    assert "http://localhost:8000/verify-email#token=" in mails[-1].text
    response = await api.client.post("/auth/verify-email", json={"token": token})
    assert response.status_code == 204
    pair = await api.log_in()
    assert (await api.client.get("/auth/me", headers=bearer(pair))).json()["email_verified"] is True
    again = await api.client.post("/auth/verify-email", json={"token": token})
    assert again.status_code == 400
    assert again.json()["type"] == "urn:bastion:problem:invalid_or_expired_token"


@pytest.mark.parametrize("token", ["", "x" * 43, "x" * 5000, "'; DROP TABLE users; --", "\u0000"])
async def test_unknown_or_malformed_verification_tokens_are_400(api: Api, token: str) -> None:
    response = await api.client.post("/auth/verify-email", json={"token": token})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_resend_replaces_the_earlier_verification_link(api: Api) -> None:
    await api.register()
    first = await api.last_link_token("verify-email")
    pair = await api.log_in()
    response = await api.client.post("/auth/verify-email/resend", headers=bearer(pair))
    assert response.status_code == 202
    second = await api.last_link_token("verify-email")
    assert second != first
    assert (await api.client.post("/auth/verify-email", json={"token": first})).status_code == 400
    assert (await api.client.post("/auth/verify-email", json={"token": second})).status_code == 204


async def test_password_reset_answers_the_same_for_known_and_unknown_emails(api: Api) -> None:
    await api.register()
    before = len(await api.delivered_mail())
    known = await api.client.post("/auth/password-reset", json={"email": "ADA@example.org"})
    unknown = await api.client.post("/auth/password-reset", json={"email": "nobody@example.org"})
    malformed = await api.client.post("/auth/password-reset", json={"email": "not an email"})
    assert known.status_code == unknown.status_code == malformed.status_code == 202
    assert known.json() == unknown.json() == malformed.json()
    mails = await api.delivered_mail()
    assert [mail.to for mail in mails[before:]] == ["ada@example.org"]
    assert "http://localhost:8000/reset-password#token=" in mails[-1].text


async def test_a_deactivated_account_gets_no_reset_mail(api: Api) -> None:
    user = await api.register()
    api.adapters.store().users[user["id"]].is_active = False
    before = len(await api.delivered_mail())
    assert (await api.client.post("/auth/password-reset", json={"email": "ada@example.org"})).status_code == 202
    assert len(await api.delivered_mail()) == before


async def test_reset_confirm_sets_the_password_revokes_sessions_and_is_single_use(api: Api) -> None:
    await api.register()
    pair = await api.log_in()
    await api.client.post("/auth/password-reset", json={"email": "ada@example.org"})
    token = await api.last_link_token("reset-password")
    confirm = await api.client.post("/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert confirm.status_code == 204
    assert (await api.client.get("/auth/me", headers=bearer(pair))).status_code == 401
    assert (await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).status_code == 401
    old = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    assert old.status_code == 401
    new_pair = await api.log_in(password=NEW_PASSWORD)
    assert (await api.client.get("/auth/me", headers=bearer(new_pair))).json()["email_verified"] is True
    reuse = await api.client.post("/auth/password-reset/confirm", json={"token": token, "new_password": PASSWORD})
    assert reuse.status_code == 400


async def test_a_reset_invalidates_the_other_outstanding_reset_links(api: Api) -> None:
    await api.register()
    await api.client.post("/auth/password-reset", json={"email": "ada@example.org"})
    first = await api.last_link_token("reset-password")
    await api.client.post("/auth/password-reset", json={"email": "ada@example.org"})
    second = await api.last_link_token("reset-password")
    ok = await api.client.post("/auth/password-reset/confirm", json={"token": second, "new_password": NEW_PASSWORD})
    assert ok.status_code == 204
    stale = await api.client.post("/auth/password-reset/confirm", json={"token": first, "new_password": PASSWORD})
    assert stale.status_code == 400


async def test_an_expired_reset_token_is_400(api: Api) -> None:
    clock = FrozenClock()
    api.adapters.clock.override(clock)
    await api.register()
    await api.client.post("/auth/password-reset", json={"email": "ada@example.org"})
    token = await api.last_link_token("reset-password")
    clock.advance(timedelta(minutes=30))
    response = await api.client.post(
        "/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400


async def test_reset_confirm_checks_the_password_policy(api: Api) -> None:
    await api.register()
    await api.client.post("/auth/password-reset", json={"email": "ada@example.org"})
    token = await api.last_link_token("reset-password")
    weak = await api.client.post("/auth/password-reset/confirm", json={"token": token, "new_password": "weak"})
    assert weak.status_code == 422
    assert {error["field"] for error in weak.json()["errors"]} == {"new_password"}
    # The refused attempt did not use the token up.
    ok = await api.client.post("/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert ok.status_code == 204


async def test_change_password_keeps_the_calling_session_and_ends_the_others(api: Api) -> None:
    await api.register()
    caller = await api.log_in()
    other = await api.log_in()
    response = await api.client.post(
        "/auth/change-password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(caller),
    )
    assert response.status_code == 204
    assert (await api.client.get("/auth/me", headers=bearer(caller))).status_code == 200
    assert (await api.client.get("/auth/me", headers=bearer(other))).status_code == 401
    assert (await api.client.post("/auth/refresh", json={"refresh_token": other["refresh_token"]})).status_code == 401
    await api.log_in(password=NEW_PASSWORD)


async def test_change_password_with_a_wrong_current_password_is_400(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    response = await api.client.post(
        "/auth/change-password",
        json={"current_password": "Wrong-Pass-1", "new_password": NEW_PASSWORD},
        headers=bearer(pair),
    )
    assert response.status_code == 400
    assert response.json()["type"] == "urn:bastion:problem:wrong_password"
    weak = await api.client.post(
        "/auth/change-password", json={"current_password": PASSWORD, "new_password": "weak"}, headers=bearer(pair)
    )
    assert weak.status_code == 422


async def test_patch_me_changes_username_and_full_name_only(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    response = await api.client.patch(
        "/auth/me", json={"username": "ada_l", "full_name": "Ada L."}, headers=bearer(pair)
    )
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["full_name"]) == ("ada_l", "Ada L.")
    cleared = await api.client.patch("/auth/me", json={"full_name": None}, headers=bearer(pair))
    assert cleared.json()["full_name"] is None
    assert cleared.json()["username"] == "ada_l"
    for field, value in [("roles", ["admin"]), ("is_superuser", True), ("email", "x@y.org"), ("email_verified", True)]:
        refused = await api.client.patch("/auth/me", json={field: value}, headers=bearer(pair))
        assert refused.status_code == 422, field


async def test_patch_me_with_a_taken_username_is_409(api: Api) -> None:
    await api.register("bob@example.org", "bob")
    pair = await api.registered_and_logged_in()
    response = await api.client.patch("/auth/me", json={"username": "BOB"}, headers=bearer(pair))
    assert response.status_code == 409


async def test_delete_me_needs_the_password_and_removes_everything(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    wrong = await api.client.request("DELETE", "/auth/me", json={"password": "Wrong-Pass-1"}, headers=bearer(pair))
    assert wrong.status_code == 400
    response = await api.client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=bearer(pair))
    assert response.status_code == 204
    assert (await api.client.get("/auth/me", headers=bearer(pair))).status_code == 401
    assert (await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).status_code == 401
    login = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    assert login.status_code == 401
    await api.register()  # the email and username are free again


async def test_a_deleted_accounts_audit_events_stay_without_personal_data(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()

    await api.client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=bearer(pair))

    async with api.adapters.reader() as view:
        events, _ = await view.audit.search(user_id=me["id"], type_=None, page=Page(limit=100))
    assert {event.type.value for event in events} >= {"user.registered", "login.succeeded", "user.deleted"}
    assert {(event.ip, event.user_agent) for event in events} == {(None, None)}


async def test_login_requires_a_verified_email_when_configured() -> None:
    async with memory_api(make_settings(require_verified_email=True)) as strict:
        await strict.register()
        wrong = await strict.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-1!x"})
        assert wrong.status_code == 401
        right = await strict.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
        assert right.status_code == 403
        assert right.json()["type"] == "urn:bastion:problem:email_not_verified"
        token = await strict.last_link_token("verify-email")
        await strict.client.post("/auth/verify-email", json={"token": token})
        await strict.log_in()
