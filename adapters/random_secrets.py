"""OsSecretGenerator: tokens from the operating system's CSPRNG."""

from __future__ import annotations

import secrets

from domain.ports.secret_generator import SecretGenerator


class OsSecretGenerator(SecretGenerator):
    """32 random bytes (256 bits) from `secrets`, URL-safe base64 encoded."""

    def token(self) -> str:
        return secrets.token_urlsafe(32)
