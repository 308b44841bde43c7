"""API keys over the production wiring on SQLite and PostgreSQL: made, used on the task routes and
/auth/verify, refused out of scope, its last use written in a batch, revoked, and gone with the
account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.asgi import build_app
from entrypoints.settings import Settings
from tests.backends import SQL_BACKENDS, migrated_database
from tests.http.conftest import PASSWORD, bearer, make_settings

pytestmark = pytest.mark.slow


@pytest.fixture(params=SQL_BACKENDS)
async def settings(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Settings]:
    async with migrated_database(request.param, tmp_path) as database:
        yield make_settings(database_url=database.url, database_schema=database.schema or "")


async def test_a_key_from_creation_to_revocation(settings: Settings) -> None:
    app = build_app(settings)
    async with AsyncTestClient(app, base_url="http://127.0.0.1:8000") as client:
        await client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
        pair = (await client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})).json()
        made = await client.post(
            "/auth/api-keys", json={"name": "sync", "scopes": ["tasks:read", "tasks:write"]}, headers=bearer(pair)
        )
        assert made.status_code == 201, made.text
        key: dict[str, Any] = made.json()
        headers = {"X-API-Key": key["key"]}

        created = await client.post("/tasks", json={"title": "from a script"}, headers=headers)
        listed = await client.get("/tasks", headers=headers)
        verified = await client.get("/auth/verify", headers=headers)
        refused = await client.get("/auth/me", headers=headers)

        assert (created.status_code, listed.status_code, verified.status_code, refused.status_code) == (
            201, 200, 204, 403
        )  # fmt: skip
        assert verified.headers["X-Auth-Key-Id"] == key["id"]
        # The stopping app writes the last uses (the recorder's last run).
    async with AsyncTestClient(build_app(settings), base_url="http://127.0.0.1:8000") as client:
        keys = (await client.get("/auth/api-keys", headers=bearer(pair))).json()
        assert keys[0]["last_used_at"] is not None
        revoked = await client.delete(f"/auth/api-keys/{key['id']}", headers=bearer(pair))
        assert revoked.status_code == 204
        assert (await client.get("/tasks", headers=headers)).status_code == 401
        assert (await client.get("/auth/api-keys", headers=bearer(pair))).json() == []
