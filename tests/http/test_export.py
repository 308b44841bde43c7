"""GET /auth/me/export: everything held about the caller, and nothing secret."""

from __future__ import annotations

from tests.http.conftest import PASSWORD, Api, bearer


async def test_the_export_holds_the_account_its_sessions_tasks_and_audit_events(api: Api) -> None:
    first = await api.registered_and_logged_in()
    pair = await api.log_in()
    await api.client.post("/auth/logout", json={"refresh_token": first["refresh_token"]}, headers=bearer(first))
    for number in range(3):
        await api.client.post("/tasks", json={"title": f"Task {number}"}, headers=bearer(pair))

    response = await api.client.get("/auth/me/export", headers=bearer(pair))

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    export = response.json()
    assert export["account"]["email"] == "ada@example.org"
    assert len(export["sessions"]) == 2
    assert [session["revoked_at"] is None for session in export["sessions"]] == [True, False]
    assert sorted(task["title"] for task in export["tasks"]) == ["Task 0", "Task 1", "Task 2"]
    types = {event["type"] for event in export["audit_events"]}
    assert {"user.registered", "login.succeeded", "logout"} <= types
    assert (export["identities"], export["passkeys"], export["api_keys"]) == ([], [], [])


async def test_the_export_holds_no_secret(api: Api) -> None:
    pair = await api.registered_and_logged_in()

    text = (await api.client.get("/auth/me/export", headers=bearer(pair))).text

    for secret in (PASSWORD, pair["refresh_token"], pair["access_token"], pair["device_token"], "argon2", "hash"):
        assert secret not in text


async def test_the_export_is_only_the_callers(api: Api) -> None:
    await api.register()
    await api.register("bob@example.org", "bob")
    bob = await api.log_in("bob@example.org")
    await api.client.post("/tasks", json={"title": "Bob's"}, headers=bearer(bob))
    ada = await api.log_in()

    export = (await api.client.get("/auth/me/export", headers=bearer(ada))).json()

    assert export["tasks"] == []
    assert all(event["user_id"] == export["account"]["id"] for event in export["audit_events"])
    assert (await api.client.get("/auth/me/export")).status_code == 401
