"""The TokenIssuer port: access tokens."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from domain.sessions import AccessClaims


class TokenIssuer(Protocol):
    """Signs and verifies access tokens (JWTs)."""

    @abstractmethod
    def issue(self, claims: AccessClaims) -> str:
        """A signed access token carrying `claims`."""

    @abstractmethod
    def verify(self, token: str, now: datetime) -> AccessClaims:
        """The claims of a token whose signature, type, issuer, audience and lifetime are valid at `now`.

        Raises:
            TokenExpiredError: the token is past its `exp`.
            TokenInvalidError: anything else is wrong with it.
        """

    @abstractmethod
    def public_jwks(self) -> list[dict[str, str]]:
        """The public keys that verify access tokens, as JWKs (RFC 7517), the signing key's first.

        Each carries `kid`, `kty`, `alg` and `use` = `sig`. Empty for a symmetric algorithm; never
        private or symmetric key material.
        """
