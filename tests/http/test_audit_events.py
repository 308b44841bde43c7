from __future__ import annotations

from typing import Any

from tests.http.conftest import PASSWORD, Api, bearer
from tests.http.test_admin import admin_pair

NEW_PASSWORD = "Another-Horse-7"


async def events(api: Api, admin: dict[str, Any], **filters: str) -> list[dict[str, Any]]:
    response = await api.client.get("/admin/audit-events", params={"limit": 100, **filters}, headers=bearer(admin))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_each_action_leaves_its_event(api: Api) -> None:
    admin = await admin_pair(api)
    user = await api.register()
    await api.client.post("/auth/verify-email", json={"token": await api.last_link_token("verify-email")})
    await api.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-Pass-1"})
    pair = await api.log_in()
    refreshed = (await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).json()
    await api.client.post(
        "/auth/change-password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(refreshed),
    )
    await api.client.post("/auth/password-reset", json={"email": "ada@example.org"})
    token = await api.last_link_token("reset-password")
    await api.client.post("/auth/password-reset/confirm", json={"token": token, "new_password": PASSWORD})
    pair = await api.log_in()
    await api.client.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})
    await api.client.patch(f"/admin/users/{user['id']}", json={"email_verified": True}, headers=bearer(admin))
    pair = await api.log_in()
    await api.client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=bearer(pair))

    types = {event["type"] for event in await events(api, admin, user_id=user["id"])}
    expected = {
        "user.registered", "email.verified", "login.failed", "login.succeeded", "token.refreshed",
        "password.changed", "password.reset_requested", "password.reset", "logout",
        "user.updated_by_admin", "user.deleted",
    }  # fmt: skip
    assert expected <= types


async def test_reuse_and_throttling_are_audited(api: Api) -> None:
    from datetime import timedelta

    from adapters.memory.clock import FrozenClock

    clock = FrozenClock()
    api.adapters.clock.override(clock)
    admin = await admin_pair(api)
    await api.register()
    pair = await api.log_in()
    await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    clock.advance(timedelta(seconds=30))
    await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    for _ in range(6):
        await api.client.post("/auth/login", json={"username": "ada", "password": "Wrong-Pass-1"})
    found = await events(api, admin)
    types = [event["type"] for event in found]
    assert "token.reuse_detected" in types
    assert "login.throttled" in types


async def test_events_carry_ip_and_user_agent_and_never_secrets(api: Api) -> None:
    admin = await admin_pair(api)
    await api.client.post(
        "/auth/register",
        json={"email": "ada@example.org", "username": "ada", "password": PASSWORD},
        headers={"User-Agent": "audit-test/1.0"},
    )
    await api.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-Pass-1"})
    found = await events(api, admin, type="user.registered")
    registered = next(event for event in found if event["user_agent"] == "audit-test/1.0")
    assert registered["ip"]
    everything = str(await events(api, admin))
    assert PASSWORD not in everything
    assert "Wrong-Pass-1" not in everything
    assert "$memory$" not in everything


async def test_audit_filters_and_bad_type(api: Api) -> None:
    admin = await admin_pair(api)
    await api.register()
    only = await events(api, admin, type="user.registered")
    assert {event["type"] for event in only} == {"user.registered"}
    bad = await api.client.get("/admin/audit-events", params={"type": "nope"}, headers=bearer(admin))
    assert bad.status_code == 422
