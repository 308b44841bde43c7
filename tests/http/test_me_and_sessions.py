from __future__ import annotations

from tests.http.conftest import Api, bearer


async def test_me_returns_the_profile_with_counts(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    response = await api.client.get("/auth/me", headers=bearer(pair))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "ada"
    assert body["account_age_days"] == 0
    assert body["task_count"] == 0
    assert body["completed_task_count"] == 0
    assert response.headers["cache-control"] == "no-store"


async def test_me_without_a_token_is_challenged(api: Api) -> None:
    response = await api.client.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "error=" not in response.headers["www-authenticate"]


async def test_me_with_a_bad_token_names_invalid_token(api: Api) -> None:
    for header in ("Bearer nope", "Bearer a.b.c", "Basic Zm9vOmJhcg==", "Bearer " + "x" * 10000):
        response = await api.client.get("/auth/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_sessions_lists_each_login_and_marks_the_current_one(api: Api) -> None:
    await api.register()
    first = await api.log_in()
    await api.log_in()
    response = await api.client.get("/auth/sessions", headers={**bearer(first), "User-Agent": "pytest-agent"})
    assert response.status_code == 200
    sessions = response.json()
    assert len(sessions) == 2
    assert [session["current"] for session in sessions].count(True) == 1
    assert set(sessions[0]) == {"id", "created_at", "last_used_at", "ip", "user_agent", "current"}


async def test_deleting_a_session_ends_it(api: Api) -> None:
    await api.register()
    first = await api.log_in()
    second = await api.log_in()
    sessions = (await api.client.get("/auth/sessions", headers=bearer(first))).json()
    other = next(session["id"] for session in sessions if not session["current"])
    response = await api.client.delete(f"/auth/sessions/{other}", headers=bearer(first))
    assert response.status_code == 204
    assert (await api.client.get("/auth/me", headers=bearer(second))).status_code == 401
    assert (await api.client.get("/auth/me", headers=bearer(first))).status_code == 200


async def test_deleting_another_users_session_is_not_found(api: Api) -> None:
    await api.register()
    ada = await api.log_in()
    await api.register("bob@example.org", "bob")
    bob = await api.log_in("bob@example.org")
    bob_session = (await api.client.get("/auth/sessions", headers=bearer(bob))).json()[0]["id"]
    response = await api.client.delete(f"/auth/sessions/{bob_session}", headers=bearer(ada))
    assert response.status_code == 404
    assert (await api.client.get("/auth/me", headers=bearer(bob))).status_code == 200
