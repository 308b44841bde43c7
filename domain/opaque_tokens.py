"""Opaque random tokens (refresh, reset, verification): how they are recognised and stored."""

from __future__ import annotations

import hashlib

OPAQUE_TOKEN_MAX_LENGTH = 512


def is_plausible_token(value: str) -> bool:
    """Whether `value` could be one of our opaque tokens (URL-safe ASCII of a sane length); anything
    else is refused before it is hashed or looked up."""
    return 0 < len(value) <= OPAQUE_TOKEN_MAX_LENGTH and value.isascii() and value.isprintable()


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which an opaque token is stored (tokens carry 256 random bits,
    so a fast hash is enough: there is nothing to brute-force)."""
    return hashlib.sha256(token.encode()).hexdigest()
