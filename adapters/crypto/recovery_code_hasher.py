"""HmacRecoveryCodeHasher: recovery codes stored as HMAC-SHA256 under a key derived from the secret key."""

from __future__ import annotations

import hashlib
import hmac

from adapters.crypto.token_sealer import derive_key
from domain.ports.second_factor import RecoveryCodeHasher


class HmacRecoveryCodeHasher(RecoveryCodeHasher):
    """HMAC-SHA256 (hex) of the canonical code, under a key HKDF-derived from BASTION_SECRET_KEY.

    A fast keyed hash is enough here, where passwords need a slow one: a recovery code carries 60
    random bits (never chosen by a person), so no dictionary helps, and a brute force over 2^60
    candidates is out of reach even at a fast hash's speed. The key is never in the database, so a
    dump alone does not even allow that search; online, the login step allows 5 tries per challenge
    and every wrong code counts against the account's lockout.
    """

    def __init__(self, secret_key: bytes) -> None:
        if not secret_key:
            raise ValueError("recovery codes need a secret key")
        self._key = derive_key(secret_key, "recovery codes")

    def hash(self, code: str) -> str:
        return hmac.new(self._key, code.encode(), hashlib.sha256).hexdigest()
