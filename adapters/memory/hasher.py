"""MemoryPasswordHasher: a fast, deterministic hasher for tests."""

from __future__ import annotations

import hashlib
import hmac

from domain.passwords import PasswordCheck
from domain.ports.password_hasher import PasswordHasher

_PREFIX = "$memory$"
_OUTDATED_PREFIX = "$memory-old$"


class MemoryPasswordHasher(PasswordHasher):
    """SHA-256 under a `$memory$` prefix: fast for tests, and its output can never verify as a real
    argon2 or bcrypt hash (nor can a real hash verify here). Hashes under `$memory-old$` verify but
    are reported outdated, so upgrade-on-login can be tested. `verify_calls` counts every verify,
    dummy ones included, and `hash_calls` every hash, so tests can check that paths which must not
    be told apart cost the same work."""

    def __init__(self) -> None:
        self.verify_calls = 0
        self.hash_calls = 0

    async def hash(self, password: str) -> str:
        self.hash_calls += 1
        return _PREFIX + hashlib.sha256(password.encode()).hexdigest()

    async def verify(self, password: str, password_hash: str) -> PasswordCheck:
        self.verify_calls += 1
        digest = hashlib.sha256(password.encode()).hexdigest()
        for prefix in (_PREFIX, _OUTDATED_PREFIX):
            if password_hash.startswith(prefix) and hmac.compare_digest(password_hash[len(prefix) :], digest):
                upgraded = await self.hash(password) if prefix == _OUTDATED_PREFIX else None
                return PasswordCheck(ok=True, upgraded_hash=upgraded)
        return PasswordCheck(ok=False)

    async def verify_dummy(self, password: str) -> None:
        await self.verify(password, _PREFIX)

    @staticmethod
    def outdated_hash(password: str) -> str:
        """A hash in the outdated scheme, as a legacy import would have stored it."""
        return _OUTDATED_PREFIX + hashlib.sha256(password.encode()).hexdigest()
