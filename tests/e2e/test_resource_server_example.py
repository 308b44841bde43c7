"""The resource-server example of docs/api.md, against a real Bastion signing with EdDSA."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from adapters.crypto.signing_key_store import SigningKeyStore
from examples.resource_server import create_app
from tests.e2e.servers import PASSWORD, server

pytestmark = pytest.mark.slow


@asynccontextmanager
async def bastion_with_ada(tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """A real Bastion signing with EdDSA, its base URL and the token pair of the user ada."""
    keys = tmp_path / "keys"
    SigningKeyStore(keys, "EdDSA").generate(datetime.now(UTC))
    with server(tmp_path, jwt_algorithm="EdDSA", jwt_keys_dir=str(keys)) as base:
        async with httpx.AsyncClient(base_url=base) as bastion:
            account = {"email": "ada@example.org", "username": "ada", "password": PASSWORD}
            await bastion.post("/auth/register", json=account)
            pair = (await bastion.post("/auth/login", json={"username": "ada", "password": PASSWORD})).json()
        yield base, pair


async def test_a_separate_service_verifies_bastion_tokens_through_jwks(tmp_path: Path) -> None:
    async with bastion_with_ada(tmp_path) as (base, pair):
        token = pair["access_token"]
        async with AsyncTestClient(create_app(f"{base}/.well-known/jwks.json")) as client:
            ok = await client.get("/hello", headers={"Authorization": f"Bearer {token}"})
            assert ok.status_code == 200, ok.text
            assert ok.json()["roles"] == ["user"]
            tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
            refused = await client.get("/hello", headers={"Authorization": f"Bearer {tampered}"})
            assert refused.status_code == 401
            assert (await client.get("/hello")).status_code == 401


async def test_after_logout_local_verification_accepts_the_token_and_the_strict_route_does_not(
    tmp_path: Path,
) -> None:
    async with bastion_with_ada(tmp_path) as (base, pair), httpx.AsyncClient(base_url=base) as bastion:
        bearer = {"Authorization": f"Bearer {pair['access_token']}"}
        async with AsyncTestClient(create_app(f"{base}/.well-known/jwks.json")) as client:
            assert (await client.get("/hello/strict", headers=bearer)).status_code == 200
            logout = await bastion.post("/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=bearer)
            assert logout.status_code == 204
            # Verified locally, the token lives on until it expires; Bastion knows it is revoked.
            assert (await client.get("/hello", headers=bearer)).status_code == 200
            assert (await client.get("/hello/strict", headers=bearer)).status_code == 401
