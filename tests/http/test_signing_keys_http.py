"""Access tokens at the HTTP edge for every algorithm: attacks answer 401 `invalid_token`, the JWKS
endpoint publishes only public keys, and a key rotation keeps old tokens working until they expire."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from litestar.testing import AsyncTestClient

from adapters.crypto.signing_key_store import SigningKeyStore
from entrypoints.container.adapters import MemoryAdapters
from entrypoints.container.http import http_handlers
from entrypoints.container.lifecycle import in_memory
from entrypoints.container.use_cases import UseCases
from entrypoints.http.app import create_app
from tests.http.conftest import Api, bearer, make_settings

ALGORITHMS = ["HS256", "EdDSA", "ES256", "RS256"]
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k"}


@dataclass
class KeyedApi:
    api: Api
    algorithm: str
    keys_dir: Path


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return _decode(header), _decode(payload), signature


def _decode(part: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


async def _api(algorithm: str, keys_dir: Path) -> tuple[Any, MemoryAdapters, UseCases]:
    overrides: dict[str, Any] = {"jwt_algorithm": algorithm}
    if algorithm != "HS256":
        store = SigningKeyStore(keys_dir, algorithm, rsa_bits=2048)
        if not any(keys_dir.glob("*.jwk")):  # noqa: ASYNC240 - a test's temporary directory
            store.generate(datetime.now(UTC))
        overrides["jwt_keys_dir"] = str(keys_dir)
    settings = make_settings(**overrides)
    use_cases, adapters = in_memory(settings)
    return create_app(http_handlers(use_cases), settings), adapters, use_cases


@asynccontextmanager
async def _keyed(algorithm: str, tmp_path: Path) -> AsyncIterator[KeyedApi]:
    app, adapters, use_cases = await _api(algorithm, tmp_path)
    async with AsyncTestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield KeyedApi(Api(client=client, adapters=adapters, use_cases=use_cases), algorithm, tmp_path)


@pytest.fixture(params=ALGORITHMS)
async def keyed(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[KeyedApi]:
    async with _keyed(request.param, tmp_path) as api:
        yield api


@pytest.fixture(params=["EdDSA", "ES256", "RS256"])
async def asymmetric(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[KeyedApi]:
    async with _keyed(request.param, tmp_path) as api:
        yield api


async def _token(keyed: KeyedApi) -> dict[str, Any]:
    await keyed.api.register()
    return await keyed.api.log_in()


async def _assert_invalid(keyed: KeyedApi, token: str) -> None:
    for path in ("/auth/me", "/auth/verify"):
        response = await keyed.api.client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (path, response.text)
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_a_valid_token_carries_the_algorithm_and_kid_and_works(keyed: KeyedApi) -> None:
    pair = await _token(keyed)
    header, payload, _ = _parts(pair["access_token"])
    assert header["alg"] == keyed.algorithm
    assert header["typ"] == "at+jwt"
    assert header["kid"]
    assert {"iss", "aud", "sub", "exp", "iat", "nbf", "jti", "sid", "roles"} <= set(payload)
    assert (await keyed.api.client.get("/auth/me", headers=bearer(pair))).status_code == 200


async def test_forged_tokens_are_refused(keyed: KeyedApi) -> None:
    pair = await _token(keyed)
    header, payload, signature = _parts(pair["access_token"])
    encoded_header, encoded_payload = pair["access_token"].split(".")[:2]
    forgeries = [
        f"{_b64({**header, 'alg': 'none'})}.{encoded_payload}.",
        f"{encoded_header}.{_b64({**payload, 'sub': 'someone-else'})}.{signature}",
        f"{encoded_header}.{encoded_payload}.{signature[:-6]}",
        f"{_b64({**header, 'kid': '../../etc/passwd'})}.{encoded_payload}.{signature}",
        f"{_b64({**header, 'kid': 'unknown'})}.{encoded_payload}.{signature}",
        pair["refresh_token"],
        "x" * 9000,
    ]
    for forged in forgeries:
        await _assert_invalid(keyed, forged)


async def test_an_hs256_token_signed_with_the_published_key_is_refused(asymmetric: KeyedApi) -> None:
    keyed = asymmetric
    pair = await _token(keyed)
    header, payload, _ = _parts(pair["access_token"])
    jwks = (await keyed.api.client.get("/.well-known/jwks.json")).json()["keys"]
    public = json.dumps(jwks[0]).encode()
    forged = jwt.encode({**header, "alg": "HS256"}, payload, OctKey.import_key(public), algorithms=["HS256"])
    await _assert_invalid(keyed, forged)


async def test_jwks_publishes_public_keys_only(keyed: KeyedApi) -> None:
    response = await keyed.api.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
    keys = response.json()["keys"]
    if keyed.algorithm == "HS256":
        assert keys == []
        return
    assert keys
    for key in keys:
        assert not PRIVATE_MEMBERS & set(key)
        assert key["use"] == "sig"
        assert key["alg"] == keyed.algorithm
    pair = await _token(keyed)
    assert _parts(pair["access_token"])[0]["kid"] == keys[0]["kid"]


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256", "RS256"])
async def test_rotation_keeps_old_tokens_valid_then_prunes_the_old_key(algorithm: str, tmp_path: Path) -> None:
    app, adapters, _ = await _api(algorithm, tmp_path)
    async with AsyncTestClient(app) as client:
        await client.post(
            "/auth/register", json={"email": "a@example.org", "username": "ada", "password": "Correct-Horse-9"}
        )
        old = (await client.post("/auth/login", json={"username": "ada", "password": "Correct-Horse-9"})).json()
        old_kid = _parts(old["access_token"])[0]["kid"]
    store = SigningKeyStore(tmp_path, algorithm, rsa_bits=2048)
    now = datetime.now(UTC)
    new_kid = store.rotate(now, token_lifetime=timedelta(minutes=16))
    app, adapters2, _ = await _api(algorithm, tmp_path)
    adapters2.store.override(adapters.store())  # the same accounts and sessions after the "restart"
    async with AsyncTestClient(app) as client:
        assert (await client.get("/auth/me", headers=bearer(old))).status_code == 200
        new = (await client.post("/auth/login", json={"username": "ada", "password": "Correct-Horse-9"})).json()
        assert _parts(new["access_token"])[0]["kid"] == new_kid != old_kid
        kids = [key["kid"] for key in (await client.get("/.well-known/jwks.json")).json()["keys"]]
        assert kids == [new_kid, old_kid]
    assert store.prune(now + timedelta(days=1), token_lifetime=timedelta(minutes=16)) == [old_kid]
    app, adapters3, _ = await _api(algorithm, tmp_path)
    adapters3.store.override(adapters.store())
    async with AsyncTestClient(app) as client:
        kids = [key["kid"] for key in (await client.get("/.well-known/jwks.json")).json()["keys"]]
        assert kids == [new_kid]
        assert (await client.get("/auth/me", headers=bearer(old))).status_code == 401
        assert (await client.get("/auth/me", headers=bearer(new))).status_code == 200


def _signing_key(keyed: KeyedApi) -> Any:
    if keyed.algorithm == "HS256":
        return OctKey.import_key(make_settings().tokens.secret_bytes)
    return SigningKeyStore(keyed.keys_dir, keyed.algorithm).load().signing_key


async def test_correctly_signed_tokens_with_bad_claims_are_refused(keyed: KeyedApi) -> None:
    pair = await _token(keyed)
    header, payload, _ = _parts(pair["access_token"])
    key = _signing_key(keyed)

    def signed(claims: dict[str, Any], **header_changes: Any) -> str:
        return jwt.encode({**header, **header_changes}, claims, key, algorithms=[keyed.algorithm])

    # The honest re-signing works: the forgeries below fail for their claims, not their signature.
    assert (
        await keyed.api.client.get("/auth/me", headers={"Authorization": f"Bearer {signed(payload)}"})
    ).status_code == 200
    now = int(datetime.now(UTC).timestamp())
    bad_claims = [
        {**payload, "exp": now - 3600, "iat": now - 7200, "nbf": now - 7200},
        {**payload, "nbf": now + 3600},
        {**payload, "iat": now + 3600},
        {**payload, "iss": "someone-else"},
        {**payload, "aud": "another-api"},
        *(
            {k: v for k, v in payload.items() if k != name}
            for name in ("exp", "iat", "nbf", "sub", "jti", "sid", "iss", "aud")
        ),
    ]
    for claims in bad_claims:
        await _assert_invalid(keyed, signed(claims))
    await _assert_invalid(keyed, signed(payload, typ="JWT"))
