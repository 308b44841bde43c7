"""Passkeys over the production wiring on SQLite and PostgreSQL: registration, passwordless login,
the second step, concurrent uses of one assertion, and removal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.asgi import build_app
from tests.backends import SQL_BACKENDS, migrated_database
from tests.http.conftest import PASSWORD, bearer, make_settings
from tests.http.mfa_steps import claims
from tests.http.passkey_steps import authenticator

pytestmark = pytest.mark.slow


@pytest.fixture(params=SQL_BACKENDS)
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    async with migrated_database(request.param, tmp_path) as database:
        settings = make_settings(database_url=database.url, database_schema=database.schema or "")
        async with AsyncTestClient(build_app(settings), base_url="http://127.0.0.1:8000") as client:
            yield client


async def _options(client: AsyncTestClient[Any], path: str, body: dict[str, Any], **headers: str) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_passkeys_from_registration_to_removal(client: AsyncTestClient[Any]) -> None:
    await client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
    pair = (await client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})).json()
    device = authenticator()
    begun = await _options(client, "/auth/passkeys/register/options", {"password": PASSWORD}, **bearer(pair))
    credential, _ = device.register(begun["options"], alg="EdDSA")
    created = await client.post(
        "/auth/passkeys/register",
        json={"challenge_id": begun["challenge_id"], "credential": credential, "name": "Laptop"},
        headers=bearer(pair),
    )
    assert created.status_code == 201, created.text
    passkey = created.json()

    login = await _options(client, "/auth/passkeys/login/options", {})
    assertion = device.authenticate(login["options"])
    body = {"challenge_id": login["challenge_id"], "credential": assertion}
    answers = await asyncio.gather(*(client.post("/auth/passkeys/login", json=body) for _ in range(4)))
    assert sorted(answer.status_code for answer in answers) == [200, 401, 401, 401]
    winner = next(answer.json() for answer in answers if answer.status_code == 200)
    assert claims(winner)["amr"] == ["hwk", "user", "mfa"]

    first = (await client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})).json()
    assert first["methods"] == ["webauthn"]
    second = await _options(client, "/auth/login/mfa/options", {"mfa_token": first["mfa_token"]})
    finished = await client.post(
        "/auth/login/mfa",
        json={"mfa_token": first["mfa_token"], "credential": device.authenticate(second["options"])},
    )
    assert finished.status_code == 200, finished.text
    assert claims(finished.json())["amr"] == ["pwd", "hwk", "mfa"]

    listed = (await client.get("/auth/passkeys", headers=bearer(winner))).json()
    assert [(item["id"], item["name"]) for item in listed] == [(passkey["id"], "Laptop")]
    assert listed[0]["last_used_at"] is not None
    renamed = await client.patch(f"/auth/passkeys/{passkey['id']}", json={"name": "Phone"}, headers=bearer(winner))
    assert renamed.json()["name"] == "Phone"
    deleted = await client.request(
        "DELETE", f"/auth/passkeys/{passkey['id']}", json={"password": PASSWORD}, headers=bearer(winner)
    )
    assert deleted.status_code == 204
    again = (await client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})).json()
    assert "access_token" in again
