from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from application.auth.register_user import RegisterUser
from tests.http.conftest import PASSWORD, Api, bearer

ADMIN_ROUTES = [
    ("GET", "/admin/users", None),
    ("GET", "/admin/users/{id}", None),
    ("PATCH", "/admin/users/{id}", {"is_active": False}),
    ("POST", "/admin/users/{id}/unlock", None),
    ("POST", "/admin/users/{id}/revoke-sessions", None),
    ("POST", "/admin/users/{id}/mfa/reset", None),
    ("GET", "/admin/audit-events", None),
]


async def admin_pair(api: Api) -> dict[str, Any]:
    await api.use_cases.create_admin().handle(
        RegisterUser(email="root@example.org", username="root", password=PASSWORD)
    )
    return await api.log_in("root")


async def test_a_plain_user_gets_403_on_every_admin_route(api: Api) -> None:
    user = await api.register()
    pair = await api.log_in()
    for method, path, body in ADMIN_ROUTES:
        response = await api.client.request(method, path.format(id=user["id"]), json=body, headers=bearer(pair))
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["type"] == "urn:bastion:problem:permission_denied"


async def test_admin_routes_need_a_token(api: Api) -> None:
    for method, path, body in ADMIN_ROUTES:
        response = await api.client.request(method, path.format(id="x"), json=body)
        assert response.status_code == 401, (method, path)


async def test_list_users_searches_email_and_username_with_totals(api: Api) -> None:
    admin = await admin_pair(api)
    await api.register("ada@example.org", "ada")
    await api.register("bob@example.org", "bobby")
    everyone = (await api.client.get("/admin/users", headers=bearer(admin))).json()
    assert everyone["total"] == 3
    assert {"failed_login_attempts", "locked_until", "is_superuser"} <= set(everyone["items"][0])
    found = (await api.client.get("/admin/users", params={"q": "BOBB", "limit": 1}, headers=bearer(admin))).json()
    assert (found["total"], found["limit"], [item["username"] for item in found["items"]]) == (1, 1, ["bobby"])
    bad = await api.client.get("/admin/users", params={"limit": 0}, headers=bearer(admin))
    assert bad.status_code == 422


async def test_get_unknown_user_is_404(api: Api) -> None:
    admin = await admin_pair(api)
    response = await api.client.get("/admin/users/does-not-exist", headers=bearer(admin))
    assert response.status_code == 404


async def test_deactivating_a_user_revokes_their_sessions(api: Api) -> None:
    admin = await admin_pair(api)
    user = await api.register()
    pair = await api.log_in()
    response = await api.client.patch(f"/admin/users/{user['id']}", json={"is_active": False}, headers=bearer(admin))
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert (await api.client.get("/auth/me", headers=bearer(pair))).status_code == 401
    assert (await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).status_code == 401
    login = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    assert login.status_code == 403


async def _next_whole_second() -> None:
    # Tokens carry whole seconds: one minted in the second of a role change is refused with the old ones.
    await asyncio.sleep(1.01 - time.time() % 1)


async def test_promotion_and_demotion_take_effect_at_once(api: Api) -> None:
    admin = await admin_pair(api)
    user = await api.register()
    pair = await api.log_in()
    promoted = await api.client.patch(f"/admin/users/{user['id']}", json={"roles": ["admin"]}, headers=bearer(admin))
    assert promoted.json()["roles"] == ["admin", "user"]
    assert promoted.json()["is_superuser"] is True
    # The old token says "user" only, and gateways trust X-Auth-Roles: it dies at once.
    assert (await api.client.get("/auth/verify", headers=bearer(pair))).status_code == 401
    await _next_whole_second()
    as_admin = (await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).json()
    verified = await api.client.get("/auth/verify", headers=bearer(as_admin))
    assert verified.headers["X-Auth-Roles"] == "admin,user"
    assert (await api.client.get("/admin/users", headers=bearer(as_admin))).status_code == 200

    demoted = await api.client.patch(f"/admin/users/{user['id']}", json={"roles": ["user"]}, headers=bearer(admin))
    assert demoted.json()["is_superuser"] is False
    assert (await api.client.get("/auth/verify", headers=bearer(as_admin))).status_code == 401
    assert (await api.client.get("/admin/users", headers=bearer(as_admin))).status_code == 401
    await _next_whole_second()
    as_user = (await api.client.post("/auth/refresh", json={"refresh_token": as_admin["refresh_token"]})).json()
    assert (await api.client.get("/auth/verify", headers=bearer(as_user))).headers["X-Auth-Roles"] == "user"
    assert (await api.client.get("/admin/users", headers=bearer(as_user))).status_code == 403


async def test_an_unchanged_role_list_revokes_nothing(api: Api) -> None:
    admin = await admin_pair(api)
    user = await api.register()
    pair = await api.log_in()
    same = await api.client.patch(f"/admin/users/{user['id']}", json={"roles": ["user"]}, headers=bearer(admin))
    assert same.status_code == 200
    assert (await api.client.get("/auth/verify", headers=bearer(pair))).status_code == 204


async def test_an_admin_cannot_demote_or_deactivate_themselves(api: Api) -> None:
    admin = await admin_pair(api)
    me = (await api.client.get("/auth/me", headers=bearer(admin))).json()
    for body in ({"roles": ["user"]}, {"is_active": False}):
        response = await api.client.patch(f"/admin/users/{me['id']}", json=body, headers=bearer(admin))
        assert response.status_code == 409
        assert response.json()["type"] == "urn:bastion:problem:self_lockout"


async def test_unknown_roles_and_fields_are_refused(api: Api) -> None:
    admin = await admin_pair(api)
    user = await api.register()
    bad_role = await api.client.patch(f"/admin/users/{user['id']}", json={"roles": ["god"]}, headers=bearer(admin))
    assert bad_role.status_code == 422
    extra = await api.client.patch(f"/admin/users/{user['id']}", json={"password": "x"}, headers=bearer(admin))
    assert extra.status_code == 422


async def test_unlock_lifts_a_lockout(api: Api) -> None:
    admin = await admin_pair(api)
    user = await api.register()
    for _ in range(6):
        await api.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-Pass-1"})
    locked = (await api.client.get(f"/admin/users/{user['id']}", headers=bearer(admin))).json()
    assert locked["failed_login_attempts"] == 5
    assert locked["locked_until"] is not None
    assert (await api.client.post(f"/admin/users/{user['id']}/unlock", headers=bearer(admin))).status_code == 204
    await api.log_in()
    unlocked = (await api.client.get(f"/admin/users/{user['id']}", headers=bearer(admin))).json()
    assert (unlocked["failed_login_attempts"], unlocked["locked_until"]) == (0, None)


async def test_revoke_sessions_ends_every_session_of_the_user(api: Api) -> None:
    admin = await admin_pair(api)
    user = await api.register()
    pairs = [await api.log_in(), await api.log_in()]
    response = await api.client.post(f"/admin/users/{user['id']}/revoke-sessions", headers=bearer(admin))
    assert response.status_code == 204
    for pair in pairs:
        assert (await api.client.get("/auth/me", headers=bearer(pair))).status_code == 401
    assert (await api.client.get("/auth/me", headers=bearer(admin))).status_code == 200


@pytest.mark.parametrize("field", ["roles", "is_superuser", "is_active", "email_verified"])
async def test_mass_assignment_through_patch_me_is_refused(api: Api, field: str) -> None:
    pair = await api.registered_and_logged_in()
    value: Any = ["admin"] if field == "roles" else True
    response = await api.client.patch("/auth/me", json={field: value}, headers=bearer(pair))
    assert response.status_code == 422
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()
    assert me["roles"] == ["user"]
