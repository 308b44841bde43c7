"""HmacApiKeyCodec: API keys tagged with HMAC-SHA256 under a key derived from BASTION_SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
import hmac

from adapters.crypto.token_sealer import derive_key
from domain.api_keys import API_KEY_TAG_LENGTH, is_api_key_shaped, new_key_body, split_key
from domain.ports.api_key_codec import ApiKeyCodec

# 6 bytes of the MAC: 48 bits, 8 base64url characters. A forger's chance per try is 2^-48, and a
# try is one request under the rate limits: the tag is a filter in front of the lookup, not the
# secret (the 256 random bits are).
_TAG_BYTES = 6


class HmacApiKeyCodec(ApiKeyCodec):
    """The tag of a key is the first 48 bits of HMAC-SHA256 of its body under a key HKDF-derived from
    BASTION_SECRET_KEY (never stored). Changing the secret key makes every key fail its tag check:
    keys must then be made again, as TOTP secrets must be set up again."""

    def __init__(self, secret_key: bytes) -> None:
        if not secret_key:
            raise ValueError("API keys need a secret key")
        self._key = derive_key(secret_key, "api key tags")

    def new_key(self) -> str:
        body = new_key_body()
        return body + self._tag(body)

    def is_genuine(self, key: str) -> bool:
        if not is_api_key_shaped(key):
            return False
        body, tag = split_key(key)
        return hmac.compare_digest(tag.encode(), self._tag(body).encode())

    def _tag(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:_TAG_BYTES]
        return base64.urlsafe_b64encode(digest).decode()[:API_KEY_TAG_LENGTH]
