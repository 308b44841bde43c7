"""The resource-server example of docs/api.md, against a real Bastion signing with EdDSA."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from adapters.crypto.signing_key_store import SigningKeyStore
from examples.resource_server import create_app
from tests.e2e.servers import PASSWORD, server

pytestmark = pytest.mark.slow


async def test_a_separate_service_verifies_bastion_tokens_through_jwks(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    SigningKeyStore(keys, "EdDSA").generate(datetime.now(UTC))
    with server(tmp_path, jwt_algorithm="EdDSA", jwt_keys_dir=str(keys)) as base:
        async with httpx.AsyncClient(base_url=base) as bastion:
            account = {"email": "ada@example.org", "username": "ada", "password": PASSWORD}
            await bastion.post("/auth/register", json=account)
            pair = (await bastion.post("/auth/login", json={"username": "ada", "password": PASSWORD})).json()
        token = pair["access_token"]
        async with AsyncTestClient(create_app(f"{base}/.well-known/jwks.json")) as client:
            ok = await client.get("/hello", headers={"Authorization": f"Bearer {token}"})
            assert ok.status_code == 200, ok.text
            assert ok.json()["roles"] == ["user"]
            tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
            refused = await client.get("/hello", headers={"Authorization": f"Bearer {tampered}"})
            assert refused.status_code == 401
            assert (await client.get("/hello")).status_code == 401
