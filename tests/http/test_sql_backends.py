"""The production wiring end to end over SQLite and PostgreSQL: real hashing, real JWTs, real SQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.asgi import build_app
from tests.backends import SQL_BACKENDS, migrated_database
from tests.http.conftest import PASSWORD, bearer, make_settings, sql_client_with_admin

pytestmark = pytest.mark.slow


@pytest.fixture(params=SQL_BACKENDS)
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    async with migrated_database(request.param, tmp_path) as database:
        settings = make_settings(database_url=database.url, database_schema=database.schema or "")
        async with AsyncTestClient(build_app(settings), base_url="http://127.0.0.1:8000") as client:
            yield client


async def test_the_token_lifecycle_works_end_to_end(client: AsyncTestClient[Any]) -> None:
    registered = await client.post(
        "/auth/register", json={"email": "Ada@Example.org", "username": "ada", "password": PASSWORD}
    )
    assert registered.status_code == 201
    login = await client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    assert login.status_code == 200
    pair = login.json()
    me = await client.get("/auth/me", headers=bearer(pair))
    assert me.status_code == 200
    assert me.json()["email"] == "Ada@Example.org"
    refreshed = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200
    new_pair = refreshed.json()
    sessions = await client.get("/auth/sessions", headers=bearer(new_pair))
    assert [session["current"] for session in sessions.json()] == [True]
    logout = await client.post(
        "/auth/logout", json={"refresh_token": new_pair["refresh_token"]}, headers=bearer(new_pair)
    )
    assert logout.status_code == 204
    assert (await client.get("/auth/me", headers=bearer(new_pair))).status_code == 401
    ready = await client.get("/health/ready")
    assert ready.json()["checks"]["database"] == "ok"


async def test_parallel_registrations_of_one_email_give_one_201_and_409s(client: AsyncTestClient[Any]) -> None:
    responses = await asyncio.gather(
        *(
            client.post(
                "/auth/register",
                json={"email": "RACE@example.org" if n % 2 else "race@example.org", "username": f"racer{n}",
                      "password": PASSWORD},
            )
            for n in range(12)
        )
    )  # fmt: skip
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 11, [response.text for response in responses]


async def test_parallel_refreshes_with_one_token_yield_one_successor(client: AsyncTestClient[Any]) -> None:
    await client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
    pair = (await client.post("/auth/login", json={"username": "ada", "password": PASSWORD})).json()
    responses = await asyncio.gather(
        *(client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]}) for _ in range(16))
    )
    assert {response.status_code for response in responses} == {200}, [r.text for r in responses]
    assert len({response.json()["refresh_token"] for response in responses}) == 1


async def test_parallel_wrong_passwords_never_get_more_tries_than_the_limit(client: AsyncTestClient[Any]) -> None:
    await client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
    responses = await asyncio.gather(
        *(client.post("/auth/login", json={"username": "ada", "password": "Wrong-Pass-1"}) for _ in range(25))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 5 + [429] * 20, [response.text for response in responses]
    locked = await client.post("/auth/login", json={"username": "ada", "password": PASSWORD})
    assert locked.status_code == 429


async def test_a_device_token_logs_its_owner_in_while_the_identifier_is_locked(
    client: AsyncTestClient[Any],
) -> None:
    await client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
    first = await client.post("/auth/login", json={"username": "ada", "password": PASSWORD})
    device_token = first.json()["device_token"]
    for _ in range(6):
        await client.post("/auth/login", json={"username": "ada", "password": "Wrong-Pass-1"})
    assert (await client.post("/auth/login", json={"username": "ada", "password": PASSWORD})).status_code == 429

    owner = await client.post(
        "/auth/login", json={"username": "ada", "password": PASSWORD, "device_token": device_token}
    )
    assert owner.status_code == 200, owner.text
    assert owner.json()["device_token"] == device_token


async def test_hostile_ids_in_paths_are_404_not_500(client: AsyncTestClient[Any]) -> None:
    await client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
    pair = (await client.post("/auth/login", json={"username": "ada", "password": PASSWORD})).json()
    for value in ("%00", "a%00b", "%ED%A0%80", "x" * 300, "%27%20OR%201%3D1--"):
        response = await client.delete(f"/auth/sessions/{value}", headers=bearer(pair))
        assert response.status_code == 404, (value, response.text)


@pytest.fixture(params=SQL_BACKENDS)
async def admin_client(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[AsyncTestClient[Any], Any]]:
    """A client of the production app and the token pair of an administrator made by an operator."""
    async with sql_client_with_admin(request.param, tmp_path) as client:
        login = await client.post("/auth/login", json={"email": "root@example.org", "password": PASSWORD})
        yield client, login.json()


async def test_a_nul_byte_in_a_search_is_refused_before_the_database(
    admin_client: tuple[AsyncTestClient[Any], Any],
) -> None:
    client, admin = admin_client
    response = await client.get("/admin/users", params={"q": "ada\x00"}, headers=bearer(admin))
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["q"]
