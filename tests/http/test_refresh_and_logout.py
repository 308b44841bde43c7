from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.memory.clock import FrozenClock
from tests.http.conftest import Api, bearer


async def test_refresh_rotates_the_refresh_token(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    response = await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["refresh_token"] != pair["refresh_token"]
    assert (await api.client.get("/auth/me", headers=bearer(rotated))).status_code == 200


async def test_a_replay_inside_the_grace_window_gets_the_same_successor(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    first = await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    again = await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert first.status_code == again.status_code == 200
    assert first.json()["refresh_token"] == again.json()["refresh_token"]


async def test_concurrent_refreshes_with_one_token_never_fork_the_session(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    responses = await asyncio.gather(
        *(api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]}) for _ in range(10))
    )
    assert {response.status_code for response in responses} == {200}
    assert len({response.json()["refresh_token"] for response in responses}) == 1


async def test_a_replay_after_the_grace_window_revokes_the_whole_session(api: Api) -> None:
    clock = FrozenClock()
    api.adapters.clock.override(clock)
    pair = await api.registered_and_logged_in()
    rotated = (await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})).json()
    clock.advance(timedelta(seconds=11))
    replay = await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert replay.status_code == 401
    assert replay.json()["type"] == "urn:bastion:problem:refresh_token_reused"
    assert 'error="invalid_token"' in replay.headers["www-authenticate"]
    newest = await api.client.post("/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert newest.status_code == 401
    assert (await api.client.get("/auth/me", headers=bearer(rotated))).status_code == 401


async def test_unknown_refresh_token_is_unauthorized(api: Api) -> None:
    response = await api.client.post("/auth/refresh", json={"refresh_token": "x" * 43})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_logout_revokes_the_session_and_its_access_token(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    response = await api.client.post(
        "/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=bearer(pair)
    )
    assert response.status_code == 204
    assert (await api.client.get("/auth/me", headers=bearer(pair))).status_code == 401
    refresh = await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401


async def test_logout_with_an_unknown_token_still_answers_204(api: Api) -> None:
    response = await api.client.post("/auth/logout", json={"refresh_token": "unknown"})
    assert response.status_code == 204


async def test_logout_with_a_bearer_token_ends_that_access_token_too(api: Api) -> None:
    await api.register()
    first = await api.log_in()
    second = await api.log_in()
    response = await api.client.post(
        "/auth/logout", json={"refresh_token": second["refresh_token"]}, headers=bearer(first)
    )
    assert response.status_code == 204
    assert (await api.client.get("/auth/me", headers=bearer(first))).status_code == 401
    assert (await api.client.get("/auth/me", headers=bearer(second))).status_code == 401


async def test_logout_all_ends_every_session(api: Api) -> None:
    await api.register()
    first = await api.log_in()
    second = await api.log_in()
    response = await api.client.post("/auth/logout-all", headers=bearer(first))
    assert response.status_code == 204
    for pair in (first, second):
        assert (await api.client.get("/auth/me", headers=bearer(pair))).status_code == 401
        refresh = await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert refresh.status_code == 401
