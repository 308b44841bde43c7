"""Hs256TokenIssuer: access tokens as HS256 JWTs (RFC 9068 profile), signed and verified with the standard library."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import string
from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from adapters.crypto.access_token_profile import (
    ACCESS_TOKEN_TYPE,
    MAX_HEADER_LENGTH,
    MAX_TOKEN_LENGTH,
    AccessTokenProfile,
    is_access_token_type,
    is_str_list,
)
from domain.errors import TokenInvalidError
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import AccessClaims

# An HMAC key should be as long as the hash output (RFC 7518 section 3.2).
_MIN_SECRET_BYTES = 32
_KID_LABEL = b"bastion access-token key id"
# base64url to standard base64 for `binascii`; the standard-only characters, and padding, become a character
# that its strict mode refuses, as it refuses whitespace and every other character outside the alphabet.
_TO_STANDARD_BASE64 = bytes.maketrans(b"-_+/=", b"+/!!!")
_BASE64URL_ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
# The characters that may end an unpadded segment, by its length mod 4 (1 is no base64): with 2 or 3 the
# last character has 4 or 2 bits to spare, which must be zero (RFC 4648 section 3.5), or several texts
# would decode to the same bytes.
_FINAL_CHARACTERS = {0: _BASE64URL_ALPHABET, 2: _BASE64URL_ALPHABET[::16], 3: _BASE64URL_ALPHABET[::4]}
_JSON = msgspec.json.Decoder()


class Hs256TokenIssuer(TokenIssuer):
    """Signs and verifies HS256 access tokens with a shared secret, by hand: `hmac`, `base64` and
    msgspec's JSON decoder (with `json` behind it), no JOSE library.

    - Header `{"alg": "HS256", "typ": "at+jwt", "kid": <key id>}`; claims as `AccessTokenProfile`
      builds and judges them.
    - The `kid` is derived from the secret by HMAC: stable across restarts and workers, and telling
      nothing about the secret.
    - Why by hand: verification runs on every authenticated request, and joserfc's `jwt.decode` and
      `JWTClaimsRegistry` took about a third of the server's CPU; the direct check takes under a third
      of their time (measured in-process), most of it in the MAC, base64url, JSON and building the
      result. It accepts and refuses what joserfc did (tests/unit/adapters/test_hs256_verification.py
      keeps joserfc's path as its reference), except that it also refuses any `crit` header (and so
      RFC 7797 unencoded payloads) and JSON nested too deeply, where joserfc let a `RecursionError` out.
    - Verification refuses a token over `MAX_TOKEN_LENGTH` before parsing it, requires the `kid` of
      the secret, `alg` exactly HS256 (whatever else the header asks) and the `at+jwt` type, and
      decodes the payload only once the MAC holds.
    - Signing: the header segment is prepared once, and a token is one JSON dump and one MAC, byte for
      byte what joserfc's `jwt.encode` gives (tests/unit/adapters/test_hs256_signing.py), in a fraction
      of its time; every refresh and login signs one.
    - Pure CPU work of microseconds: no thread pool.
    """

    def __init__(self, *, secret: bytes, issuer: str, audience: str, leeway_seconds: int = 0) -> None:
        """Raises:
        ValueError: a secret shorter than 32 bytes, or a negative leeway.
        """
        self._profile = AccessTokenProfile(issuer=issuer, audience=audience, leeway_seconds=leeway_seconds)
        if len(secret) < _MIN_SECRET_BYTES:
            raise ValueError(f"the HS256 secret must be at least {_MIN_SECRET_BYTES} bytes")
        self._signing_kid = hmac.new(secret, _KID_LABEL, hashlib.sha256).hexdigest()[:16]
        # The MAC keyed with the secret, copied for each token: that saves preparing the key every time.
        self._mac = hmac.new(secret, digestmod=hashlib.sha256)
        header = {"alg": "HS256", "typ": ACCESS_TOKEN_TYPE, "kid": self._signing_kid}
        self._header_segment = _base64url_encode(json.dumps(header, separators=(",", ":")).encode()) + "."

    def public_jwks(self) -> list[dict[str, str]]:
        return []

    def issue(self, claims: AccessClaims) -> str:
        """The compact JWS of the claims under the prepared header, serialised as joserfc does (claims as
        compact JSON, non-ASCII characters kept as UTF-8)."""
        payload = json.dumps(self._profile.payload(claims), ensure_ascii=False, separators=(",", ":")).encode()
        signing_input = self._header_segment + _base64url_encode(payload)
        mac = self._mac.copy()
        mac.update(signing_input.encode("ascii"))
        return signing_input + "." + _base64url_encode(mac.digest())

    def verify(self, token: str, now: datetime) -> AccessClaims:
        return self._profile.claims_of(self._payload(token), now)

    def _payload(self, token: str) -> dict[str, Any]:
        """The claims of a token whose header fits and whose MAC verifies: the checks of joserfc's compact
        JWS and JWT decoding (with its registry of header parameters), plus the refusal of `crit`. The
        payload is not even decoded before the MAC holds."""
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise TokenInvalidError
        segments = token.split(".")
        if len(segments) != 3 or len(segments[0]) > MAX_HEADER_LENGTH:
            raise TokenInvalidError
        header_segment, payload_segment, signature_segment = segments
        header = _json_object(_base64url_decode(header_segment))
        # A plain comparison with the one key id: the `kid` never reaches a file name, a query or a URL.
        if header.get("kid") != self._signing_kid or not _fits_hs256(header):
            raise TokenInvalidError
        mac = self._mac.copy()
        mac.update(token[: len(header_segment) + 1 + len(payload_segment)].encode("ascii"))
        # Each byte string has one strict base64url text, so comparing texts is comparing the decoded MAC,
        # and a signature segment with a stray character, padding or spare bits set is refused alike.
        expected = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=")
        if not hmac.compare_digest(signature_segment.encode("ascii"), expected):
            raise TokenInvalidError
        return _json_object(_base64url_decode(payload_segment))


def _base64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _base64url_decode(segment: str) -> bytes:
    """Strict base64url without padding (RFC 7515 section 2): only its 64 characters, and only the one
    text that encodes given bytes (as joserfc decodes; `base64.urlsafe_b64decode` alone would skip
    stray characters and ignore set spare bits)."""
    final = _FINAL_CHARACTERS.get(len(segment) % 4)
    if final is None or (segment and segment[-1] not in final):
        raise TokenInvalidError
    standard = segment.encode("ascii").translate(_TO_STANDARD_BASE64) + b"=" * (-len(segment) % 4)
    try:
        return binascii.a2b_base64(standard, strict_mode=True)
    except binascii.Error as error:
        raise TokenInvalidError from error


def _json_object(data: bytes) -> dict[str, Any]:
    """A JSON object, read as the standard library reads it (as joserfc did): with msgspec, several
    times faster, and with `json` only for the texts msgspec refuses but `json` accepts (NaN and
    Infinity, UTF-16 or UTF-32 or a byte-order mark, lone surrogates, numbers out of msgspec's range)."""
    try:
        value = _JSON.decode(data)
    except (ValueError, RecursionError):  # msgspec.DecodeError and UnicodeDecodeError are ValueErrors
        try:
            value = json.loads(data)
        except (ValueError, RecursionError) as error:
            raise TokenInvalidError from error
    if not isinstance(value, dict):
        raise TokenInvalidError
    return value


def _fits_hs256(header: dict[str, Any]) -> bool:
    """`alg` exactly HS256, the access-token `typ`, and nothing joserfc's registry of header parameters refused."""
    if header.get("alg") != "HS256" or not is_access_token_type(header.get("typ")):
        return False
    # The caller has checked the `kid`: with `alg` and `typ`, three members; any more must fit the registry.
    return len(header) == 3 or all(_HEADER_PARAMETERS.get(name, _refused)(value) for name, value in header.items())


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _refused(_: object) -> bool:
    return False


# The header parameters joserfc's JWS registry knows, with the shape it requires of each: any other
# parameter, or one of these in another shape, is refused, as joserfc refused it. So is `crit` (RFC 7515
# section 4.1.11: no extension is understood here), and with it RFC 7797's `"b64": false`, which needs
# `crit`; joserfc accepted both. Those that name keys (`jku`, `jwk`, `x5u`, `x5c`) are never used.
_HEADER_PARAMETERS: dict[str, Callable[[object], bool]] = {
    "alg": _is_str,
    "kid": _is_str,
    "typ": _is_str,
    "cty": _is_str,
    "x5t": _is_str,
    "x5t#S256": _is_str,
    "jku": _is_url,
    "x5u": _is_url,
    "jwk": lambda value: isinstance(value, dict),
    "x5c": is_str_list,
    "b64": lambda value: value is True,
}
