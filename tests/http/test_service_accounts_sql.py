"""Service accounts over the production wiring on SQLite and PostgreSQL: the grant by Basic and by
form, the token on the task routes, rotation and deletion."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.backends import SQL_BACKENDS
from tests.http.conftest import PASSWORD, bearer, sql_client_with_admin

pytestmark = pytest.mark.slow


@pytest.fixture(params=SQL_BACKENDS)
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    async with sql_client_with_admin(request.param, tmp_path) as client:
        yield client


def _basic(client_id: str, client_secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()}


async def test_a_service_account_from_creation_to_deletion(client: AsyncTestClient[Any]) -> None:
    admin = bearer((await client.post("/auth/login", json={"username": "root", "password": PASSWORD})).json())
    body = {"name": "billing sync", "scopes": ["tasks:read", "tasks:write"]}
    account = (await client.post("/admin/service-accounts", json=body, headers=admin)).json()
    grant = {"grant_type": "client_credentials"}

    by_basic = await client.post("/token", data=grant, headers=_basic(account["client_id"], account["client_secret"]))
    by_form = await client.post(
        "/token",
        data={
            **grant,
            "client_id": account["client_id"],
            "client_secret": account["client_secret"],
            "scope": "tasks:read",
        },
    )
    wrong = await client.post("/token", data=grant, headers=_basic(account["client_id"], "wrong"))

    assert (by_basic.status_code, by_form.status_code, wrong.status_code) == (200, 200, 401), by_basic.text
    assert (by_basic.json()["scope"], by_form.json()["scope"]) == ("tasks:read tasks:write", "tasks:read")
    assert wrong.json()["error"] == "invalid_client"
    writer, reader = bearer(by_basic.json()), bearer(by_form.json())
    created = await client.post("/tasks", json={"title": "Reconcile invoices"}, headers=writer)
    assert created.status_code == 201, created.text
    listed = await client.get("/tasks", headers=reader)
    assert [task["title"] for task in listed.json()["items"]] == ["Reconcile invoices"]
    assert (await client.post("/tasks", json={"title": "x"}, headers=reader)).status_code == 403

    rotated = await client.post(f"/admin/service-accounts/{account['id']}/rotate-secret", headers=admin)
    new_secret = rotated.json()["client_secret"]
    old = await client.post("/token", data=grant, headers=_basic(account["client_id"], account["client_secret"]))
    new = await client.post("/token", data=grant, headers=_basic(account["client_id"], new_secret))
    assert (old.status_code, new.status_code) == (401, 200)

    deleted = await client.delete(f"/admin/service-accounts/{account['id']}", headers=admin)
    assert deleted.status_code == 204
    assert (await client.get("/tasks", headers=bearer(new.json()))).status_code == 401
    assert (await client.get("/auth/verify", headers=reader)).status_code == 401
    assert (await client.get("/admin/service-accounts", headers=admin)).json() == []
