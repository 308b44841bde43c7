"""GetPublicKeys: what resource servers need to verify access tokens themselves."""

from __future__ import annotations

from domain.ports.token_issuer import TokenIssuer


class GetPublicKeysHandler:
    """The public keys (JWKs) that verify access tokens: the signing key and the keys retired but
    still verifying unexpired tokens. Empty with a symmetric algorithm; never private material."""

    def __init__(self, issuer: TokenIssuer) -> None:
        self._issuer = issuer

    async def handle(self) -> list[dict[str, str]]:
        return self._issuer.public_jwks()
