"""A separate service that accepts Bastion's access tokens, verifying them with Bastion's JWKS.

Run it next to Bastion (configured with an asymmetric algorithm, e.g. BASTION_JWT_ALGORITHM=EdDSA):

    BASTION_JWKS_URL=http://127.0.0.1:8000/.well-known/jwks.json \
    uvicorn --factory examples.resource_server:create_app --port 9000

It needs no secret of Bastion's: only the public keys, fetched once, cached, and fetched again when
a token names a key it has not seen (after a rotation).
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from litestar import Litestar, Request, get
from litestar.exceptions import NotAuthorizedException

ALGORITHMS = ["EdDSA", "ES256", "RS256"]  # never HS256 here: this service holds no shared secret
REFETCH_SECONDS = 30


class BastionTokens:
    """Verifies Bastion access tokens: the signature with the JWKS key its `kid` names, then the claims."""

    def __init__(self, jwks_url: str, *, issuer: str = "bastion", audience: str = "bastion") -> None:
        self._jwks_url, self._issuer, self._audience = jwks_url, issuer, audience
        self._keys: KeySet | None = None
        self._fetched_at = -REFETCH_SECONDS

    async def _fetch(self) -> KeySet:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(self._jwks_url)
            response.raise_for_status()
        self._keys = KeySet.import_key_set(response.json())
        self._fetched_at = time.monotonic()
        return self._keys

    async def _decode(self, token: str) -> jwt.Token:
        keys = self._keys if self._keys is not None else await self._fetch()
        try:
            return jwt.decode(token, keys, algorithms=ALGORITHMS)
        except (JoseError, ValueError):
            # Perhaps signed with a key from after a rotation: fetch again, but not more than
            # once in a while, so that bad tokens cannot make us hammer Bastion.
            if time.monotonic() - self._fetched_at < REFETCH_SECONDS:
                raise
            return jwt.decode(token, await self._fetch(), algorithms=ALGORITHMS)

    async def verify(self, token: str) -> dict[str, Any]:
        try:
            if len(token) > 8192:
                raise ValueError("token too large")
            decoded = await self._decode(token)
            if str(decoded.header.get("typ", "")).lower() not in {"at+jwt", "application/at+jwt"}:
                raise ValueError("not an access token")
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self._issuer},
                aud={"essential": True, "value": self._audience},
                exp={"essential": True},
                sub={"essential": True},
                sid={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise NotAuthorizedException(
                "invalid token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from error
        return dict(decoded.claims)


def create_app(jwks_url: str | None = None) -> Litestar:
    tokens = BastionTokens(jwks_url or os.environ["BASTION_JWKS_URL"])

    @get("/hello")
    async def hello(request: Request[Any, Any, Any]) -> dict[str, Any]:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("missing token", headers={"WWW-Authenticate": "Bearer"})
        claims = await tokens.verify(token)
        return {"hello": claims["sub"], "roles": claims.get("roles", [])}

    return Litestar([hello])
