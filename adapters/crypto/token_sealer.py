"""AeadTokenSealer: secrets sealed with AES-256-GCM under a key derived from the service's secret key."""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.ports.token_sealer import TokenSealer

_NONCE_BYTES = 12


def derive_key(secret_key: bytes, purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from the secret key with HKDF-SHA256: keys of different
    purposes are independent, and none of them is the secret key (which also signs HS256 tokens)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"bastion {purpose}".encode())
    return hkdf.derive(secret_key)


class AeadTokenSealer(TokenSealer):
    """`seal` gives base64url(nonce || AES-GCM ciphertext and tag) under a random 96-bit nonce; the
    purpose is bound as associated data, so text sealed for one purpose never opens for another.

    The key lives only in the process (derived from BASTION_SECRET_KEY at start): a copy of the
    database cannot open what is sealed. Changing the secret key makes earlier sealed text unusable.
    """

    def __init__(self, secret_key: bytes, purpose: str) -> None:
        if not secret_key:
            raise ValueError("sealing needs a secret key")
        self._aead = AESGCM(derive_key(secret_key, purpose))
        self._purpose = purpose.encode()

    def seal(self, secret: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, secret.encode(), self._purpose)
        return base64.urlsafe_b64encode(sealed).decode("ascii")

    def unseal(self, sealed: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self._purpose)
            return plain.decode()
        except (InvalidTag, binascii.Error, UnicodeError, ValueError) as error:
            raise ValueError("not sealed with this key") from error
