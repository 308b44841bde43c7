"""A separate service that accepts Bastion's access tokens, verifying them with Bastion's JWKS.

Run it next to Bastion (configured with an asymmetric algorithm, e.g. BASTION_JWT_ALGORITHM=EdDSA):

    BASTION_JWKS_URL=http://127.0.0.1:8000/.well-known/jwks.json \
    uvicorn --factory examples.resource_server:create_app --port 9000

It needs no secret of Bastion's: only the public keys, fetched once, cached, and fetched again when
a token names a key it has not seen (after a rotation).

It verifies tokens locally, so it keeps accepting an access token after its user logs out, is
deactivated or has its sessions revoked, until the token expires (BASTION_ACCESS_TOKEN_EXPIRE_MINUTES,
15 minutes by default). A route that needs revocation to take effect at once asks Bastion as well:
`GET /hello/strict` sends the token to Bastion's `GET /auth/verify` (BASTION_VERIFY_URL, by default
next to the JWKS URL), which answers 204 for a live token and 401 for a revoked one, at the price of
one request to Bastion per call.
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


async def still_live(verify_url: str, token: str) -> None:
    """Ask Bastion whether the token is still live (not logged out or revoked): 401 if not."""
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(verify_url, headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 204:
        raise NotAuthorizedException("revoked token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _bearer(request: Request[Any, Any, Any]) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("missing token", headers={"WWW-Authenticate": "Bearer"})
    return token


def create_app(jwks_url: str | None = None, verify_url: str | None = None) -> Litestar:
    jwks_url = jwks_url or os.environ["BASTION_JWKS_URL"]
    default_verify_url = jwks_url.replace("/.well-known/jwks.json", "/auth/verify")
    verify_url = verify_url or os.environ.get("BASTION_VERIFY_URL") or default_verify_url
    tokens = BastionTokens(jwks_url)

    @get("/hello")
    async def hello(request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Verified locally: a logged-out user's token still works here until it expires."""
        claims = await tokens.verify(_bearer(request))
        return {"hello": claims["sub"], "roles": claims.get("roles", [])}

    @get("/hello/strict")
    async def hello_strict(request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Verified locally, then by Bastion: refused from the moment the token is revoked."""
        token = _bearer(request)
        claims = await tokens.verify(token)
        await still_live(verify_url, token)
        return {"hello": claims["sub"], "roles": claims.get("roles", [])}

    return Litestar([hello, hello_strict])
