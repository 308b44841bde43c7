"""MemoryTokenIssuer: opaque access tokens remembered in a dict."""

from __future__ import annotations

import secrets
from datetime import datetime

from domain.errors import TokenExpiredError, TokenInvalidError
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import AccessClaims


class MemoryTokenIssuer(TokenIssuer):
    """Issues random opaque strings and keeps their claims; a token verifies only in the process
    that issued it. Fast and honest about expiry, for use-case tests."""

    def __init__(self) -> None:
        self._claims: dict[str, AccessClaims] = {}

    def issue(self, claims: AccessClaims) -> str:
        token = "mem." + secrets.token_urlsafe(24)
        self._claims[token] = claims
        return token

    def verify(self, token: str, now: datetime) -> AccessClaims:
        claims = self._claims.get(token)
        if claims is None:
            raise TokenInvalidError
        if now >= claims.expires_at:
            raise TokenExpiredError
        return claims

    def public_jwks(self) -> list[dict[str, str]]:
        return []
