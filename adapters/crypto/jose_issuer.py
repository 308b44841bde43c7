"""JoseTokenIssuer: access tokens as signed JWTs (RFC 9068 profile) with joserfc, HS256 signed and verified directly."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import string
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import Key, OctKey
from joserfc.jws import JWSRegistry
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry

from adapters.crypto.signing_keys import ASYMMETRIC_ALGORITHMS, LoadedKeys
from domain.errors import TokenExpiredError, TokenInvalidError
from domain.ids import SessionId, UserId
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import AccessClaims

# RFC 9068 section 2.1; RFC 8725 section 3.11 allows the media type with its prefix too.
ACCESS_TOKEN_TYPE = "at+jwt"
_ACCEPTED_TYPES = frozenset({ACCESS_TOKEN_TYPE, "application/" + ACCESS_TOKEN_TYPE})
# Minimum key length per algorithm; an HMAC key should be as long as the hash output (RFC 7518 3.2).
_MIN_SECRET_BYTES = {"HS256": 32}
_ESSENTIAL: ClaimsOption = {"essential": True}
_STRING_CLAIMS = ("sub", "sid", "jti")
_TIME_CLAIMS = ("exp", "iat", "nbf")
SUPPORTED_ALGORITHMS = ("HS256", *ASYMMETRIC_ALGORITHMS)
# Tokens longer than this are refused before any parsing: ours are well under 2 KiB, even with RS256.
MAX_TOKEN_LENGTH = 8 * 1024
# joserfc refuses a longer header segment (`JWSRegistry.max_header_length`); so does the HS256 check.
_MAX_HEADER_LENGTH = 512
# The members of a public JWK worth publishing (RFC 7518 section 6, RFC 8037 section 2); a filter
# by name rather than by what a library deems private, so that nothing secret can slip through.
_PUBLIC_MEMBERS = frozenset({"kty", "crv", "x", "y", "n", "e"})
_HMAC_KID_LABEL = b"bastion access-token key id"
# base64url to standard base64 for `binascii`; the standard-only characters, and padding, become a character
# that its strict mode refuses, as it refuses whitespace and every other character outside the alphabet.
_TO_STANDARD_BASE64 = bytes.maketrans(b"-_+/=", b"+/!!!")
_BASE64URL_ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
# The characters that may end an unpadded segment, by its length mod 4 (1 is no base64): with 2 or 3 the
# last character has 4 or 2 bits to spare, which must be zero (RFC 4648 section 3.5), or several texts
# would decode to the same bytes.
_FINAL_CHARACTERS = {0: _BASE64URL_ALPHABET, 2: _BASE64URL_ALPHABET[::16], 3: _BASE64URL_ALPHABET[::4]}
_JSON = msgspec.json.Decoder()


class _QuietEdDSA(EdDSAAlgorithm):
    # RFC 9864 deprecates the polymorphic name "EdDSA" for "Ed25519", and joserfc warns on every use.
    # The key store admits Ed25519 keys only, so "EdDSA" means exactly "Ed25519" here, and it is the
    # name that JWT libraries and JWKS consumers understand today. (joserfc tests it for truth.)
    security_warning = ""


class _Registry(JWSRegistry):
    algorithms = {**JWSRegistry.algorithms, "EdDSA": _QuietEdDSA()}


class JoseTokenIssuer(TokenIssuer):
    """Signs access tokens with joserfc: HS256 with a shared secret, or EdDSA (Ed25519), ES256 or
    RS256 with the keys of a `SigningKeyStore`; verifies the asymmetric ones with joserfc too. HS256
    tokens are signed and verified directly.

    - Header `{"alg": <configured>, "typ": "at+jwt", "kid": <key id>}`; claims `iss`, `aud`, `sub`,
      `exp`, `iat`, `nbf` (= `iat`), `jti`, `sid` and `roles`, timestamps in whole seconds rounded down.
    - The HS256 `kid` is derived from the secret by HMAC: stable across restarts and workers, and
      telling nothing about the secret. An asymmetric `kid` is the key's RFC 7638 thumbprint.
    - Verification refuses a token over `MAX_TOKEN_LENGTH` before parsing it, reads the unverified
      header only for its `kid`, which must name one of the configured keys, accepts only the
      configured algorithm (never the one the header names) and the `at+jwt` type, requires every
      claim above with the right type, and judges `exp`, `iat` and `nbf` against the `now` it is
      given, with `leeway_seconds` for clock skew between machines.
    - An expired token is reported as expired only when nothing else is wrong with it.
    - HS256 tokens are checked directly (`_hs256_payload`, `_check_claims`), not with joserfc's
      `jwt.decode` and `JWTClaimsRegistry`: verification runs on every authenticated request, and
      those took about a third of the server's CPU; the direct check takes under a third of their
      time (measured in-process), most of it in the MAC, base64url, JSON and building the result.
      It accepts and refuses what joserfc did (tests/unit/adapters/test_hs256_verification.py keeps
      joserfc's path as its reference), except that it also refuses any `crit` header (and so RFC
      7797 unencoded payloads) and JSON nested too deeply, where joserfc let a `RecursionError` out.
    - HS256 tokens are signed directly too (`_hs256_sign`): the header segment is prepared once, and a
      token is one JSON dump and one MAC, byte for byte what joserfc's `jwt.encode` gives
      (tests/unit/adapters/test_hs256_signing.py), in a fraction of its time; every refresh and login
      signs one.
    - Keys are read once, at construction: after a rotation, servers pick up the new key on restart,
      and keep verifying the previous ones for as long as the key store keeps them.
    - Signing and verifying are pure CPU work of microseconds to a millisecond (RS256 signing): no
      thread pool.
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: int = 0,
        algorithm: str = "HS256",
        secret: bytes | None = None,
        keys: LoadedKeys | None = None,
    ) -> None:
        """`secret` signs HS256 and is ignored otherwise; `keys` (from `SigningKeyStore.load()`) are
        required for the asymmetric algorithms and refused with HS256.

        Raises:
            ValueError: an unsupported algorithm, a missing or short secret, missing or mismatched keys.
        """
        if algorithm not in SUPPORTED_ALGORITHMS:
            raise ValueError(f"unsupported JWT algorithm {algorithm!r}; use one of {', '.join(SUPPORTED_ALGORITHMS)}")
        if leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        self._algorithm = algorithm
        self._issuer = issuer
        self._audience = audience
        self._leeway_seconds = leeway_seconds
        self._registry = _Registry(algorithms=[algorithm])
        self._signing_kid, self._signing_key, self._verification_keys = _keys(algorithm, secret, keys)
        self._header = {"alg": algorithm, "typ": ACCESS_TOKEN_TYPE, "kid": self._signing_kid}
        # The HS256 MAC keyed with the secret, by `kid`, for the direct check (copied for each token, which
        # saves preparing the key every time); empty for the asymmetric algorithms.
        self._hs256_macs = (
            {self._signing_kid: hmac.new(secret, digestmod=hashlib.sha256)}
            if algorithm == "HS256" and secret is not None
            else {}
        )
        self._hs256_header_segment = _base64url_encode(json.dumps(self._header, separators=(",", ":")).encode()) + "."
        self._jwks = _public_jwks(algorithm, self._verification_keys) if algorithm in ASYMMETRIC_ALGORITHMS else []

    def public_jwks(self) -> list[dict[str, str]]:
        return [dict(jwk) for jwk in self._jwks]

    def issue(self, claims: AccessClaims) -> str:
        issued_at = _timestamp(claims.issued_at)
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": claims.subject,
            "sid": claims.session_id,
            "jti": claims.token_id,
            "roles": list(claims.roles),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": _timestamp(claims.expires_at),
        }
        if self._algorithm == "HS256":
            return self._hs256_sign(payload)
        return jwt.encode(self._header, payload, self._signing_key, registry=self._registry, default_type=None)

    def _hs256_sign(self, payload: dict[str, Any]) -> str:
        """The compact JWS of `payload` under the prepared header, serialised as joserfc does (claims as
        compact JSON, non-ASCII characters kept as UTF-8)."""
        claims = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        signing_input = self._hs256_header_segment + _base64url_encode(claims)
        mac = self._hs256_macs[self._signing_kid].copy()
        mac.update(signing_input.encode("ascii"))
        return signing_input + "." + _base64url_encode(mac.digest())

    def verify(self, token: str, now: datetime) -> AccessClaims:
        if self._algorithm == "HS256":
            payload = self._hs256_payload(token)
            self._check_claims(payload, now)
        else:
            payload = self._decode(token)
            self._validate(payload, now)
        try:
            issued_at = datetime.fromtimestamp(payload["iat"], UTC)
            expires_at = datetime.fromtimestamp(payload["exp"], UTC)
        except (OverflowError, OSError, ValueError) as error:
            raise TokenInvalidError from error
        return AccessClaims(
            subject=UserId(payload["sub"]),
            session_id=SessionId(payload["sid"]),
            roles=tuple(payload["roles"]),
            issued_at=issued_at,
            expires_at=expires_at,
            token_id=payload["jti"],
        )

    def _hs256_payload(self, token: str) -> dict[str, Any]:
        """The claims of an HS256 token whose header fits and whose MAC verifies, checked without joserfc:
        the same checks as `_decode` and joserfc's compact JWS and JWT decoding (with its registry of
        header parameters), plus the refusal of `crit`. The payload is not even decoded before the MAC
        holds."""
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise TokenInvalidError
        segments = token.split(".")
        if len(segments) != 3 or len(segments[0]) > _MAX_HEADER_LENGTH:
            raise TokenInvalidError
        header_segment, payload_segment, signature_segment = segments
        header = _json_object(_base64url_decode(header_segment))
        kid = header.get("kid")
        # A plain look-up among the configured keys: the `kid` never reaches a file name, a query or a URL.
        keyed = self._hs256_macs.get(kid) if isinstance(kid, str) else None
        if keyed is None or not _fits_hs256(header):
            raise TokenInvalidError
        mac = keyed.copy()
        mac.update(token[: len(header_segment) + 1 + len(payload_segment)].encode("ascii"))
        # Each byte string has one strict base64url text, so comparing texts is comparing the decoded MAC,
        # and a signature segment with a stray character, padding or spare bits set is refused alike.
        expected = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=")
        if not hmac.compare_digest(signature_segment.encode("ascii"), expected):
            raise TokenInvalidError
        return _json_object(_base64url_decode(payload_segment))

    def _check_claims(self, payload: dict[str, Any], now: datetime) -> None:
        """What `_validate` asks of joserfc's claims registry, checked directly: the claims' types, `iss`
        ours, `aud` ours or a list of strings holding ours, `sub`, `sid` and `jti` not empty, `nbf` and
        `iat` no later than `now` plus the leeway, and `exp` later than `now` minus the leeway."""
        if not _has_claim_types(payload):
            raise TokenInvalidError
        moment = _timestamp(now)
        issuer, audience = payload.get("iss"), payload.get("aud")
        if not (
            # A blank claim matches nothing, not even a blank configuration (joserfc refused blanks first).
            (issuer == self._issuer and issuer != "")
            and (
                (audience == self._audience and audience != "")
                or (isinstance(audience, list) and self._audience in audience and _is_str_list(audience))
            )
            and payload["sub"] != ""
            and payload["sid"] != ""
            and payload["jti"] != ""
            and payload["nbf"] <= moment + self._leeway_seconds
            and payload["iat"] <= moment + self._leeway_seconds
        ):
            raise TokenInvalidError
        # Last, so that a token is reported expired only when nothing else is wrong with it.
        if payload["exp"] <= moment - self._leeway_seconds:
            raise TokenExpiredError

    def _decode(self, token: str) -> dict[str, Any]:
        """The claims of a token whose signature verifies under the configured algorithm and whose type fits."""
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or token.count(".") != 2:
            raise TokenInvalidError
        kid = _unverified_kid(token)
        # A plain look-up among the configured keys: the `kid` never reaches a file name, a query or a URL.
        key = self._verification_keys.get(kid)
        if key is None:
            raise TokenInvalidError
        try:
            decoded = jwt.decode(token, key, registry=self._registry)
        except (JoseError, ValueError, TypeError) as error:  # TypeError: a malformed `crit` header
            raise TokenInvalidError from error
        if decoded.header.get("kid") != kid:
            raise TokenInvalidError
        token_type = decoded.header.get("typ")
        if not isinstance(token_type, str) or token_type.lower() not in _ACCEPTED_TYPES:
            raise TokenInvalidError
        return decoded.claims

    def _validate(self, payload: dict[str, Any], now: datetime) -> None:
        if not _has_claim_types(payload):
            raise TokenInvalidError
        # joserfc's `jwt.decode` checks only the signature; the claims are checked here, every time.
        registry = JWTClaimsRegistry(
            now=_timestamp(now),
            leeway=self._leeway_seconds,
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            exp=_ESSENTIAL,
            iat=_ESSENTIAL,
            nbf=_ESSENTIAL,
            sub=_ESSENTIAL,
            jti=_ESSENTIAL,
            sid=_ESSENTIAL,
        )
        # The registry checks claims in payload order: `exp` goes last, so that a token with a wrong
        # audience or a future `nbf` is reported invalid even when it has expired too.
        ordered = {name: value for name, value in payload.items() if name != "exp"} | {"exp": payload["exp"]}
        try:
            registry.validate(ordered)
        except ExpiredTokenError as error:
            raise TokenExpiredError from error
        except JoseError as error:
            raise TokenInvalidError from error


def _keys(algorithm: str, secret: bytes | None, keys: LoadedKeys | None) -> tuple[str, Key, Mapping[str, Key]]:
    """The signing `kid` and key, and the verification keys by `kid`."""
    if algorithm in ASYMMETRIC_ALGORITHMS:
        if keys is None:
            raise ValueError(f"{algorithm} needs signing keys (a key directory)")
        if keys.algorithm != algorithm:
            raise ValueError(f"the signing keys are for {keys.algorithm}, not {algorithm}")
        return keys.signing_kid, keys.signing_key, dict(keys.verification_keys)
    if keys is not None:
        raise ValueError(f"{algorithm} signs with the secret; signing keys are for {', '.join(ASYMMETRIC_ALGORITHMS)}")
    if secret is None or len(secret) < _MIN_SECRET_BYTES[algorithm]:
        raise ValueError(f"the {algorithm} secret must be at least {_MIN_SECRET_BYTES[algorithm]} bytes")
    kid = hmac.new(secret, _HMAC_KID_LABEL, hashlib.sha256).hexdigest()[:16]
    key = OctKey.import_key(secret)
    return kid, key, {kid: key}


def _public_jwks(algorithm: str, keys: Mapping[str, Key]) -> list[dict[str, str]]:
    jwks: list[dict[str, str]] = []
    for kid, key in keys.items():
        public = {
            name: value
            for name, value in key.as_dict(private=False).items()
            if name in _PUBLIC_MEMBERS and isinstance(value, str)
        }
        jwks.append({**public, "kid": kid, "alg": algorithm, "use": "sig"})
    return jwks


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
    token_type = header.get("typ")
    if header.get("alg") != "HS256" or not isinstance(token_type, str) or token_type.lower() not in _ACCEPTED_TYPES:
        return False
    # The caller has found the `kid`: with `alg` and `typ`, three members; any more must fit the registry.
    return len(header) == 3 or all(_HEADER_PARAMETERS.get(name, _refused)(value) for name, value in header.items())


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


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
    "x5c": _is_str_list,
    "b64": lambda value: value is True,
}


def _unverified_kid(token: str) -> str:
    """The `kid` the header claims, read without trusting anything else in it."""
    segment = token.partition(".")[0]
    if len(segment) > _MAX_HEADER_LENGTH:
        raise TokenInvalidError
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError) as error:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise TokenInvalidError from error
    kid = header.get("kid") if isinstance(header, dict) else None
    if not isinstance(kid, str):
        raise TokenInvalidError
    return kid


def _has_claim_types(payload: dict[str, Any]) -> bool:
    roles = payload.get("roles")
    return (
        all(isinstance(payload.get(name), str) for name in _STRING_CLAIMS)
        and all(type(payload.get(name)) is int for name in _TIME_CLAIMS)
        and isinstance(roles, list)
        and all(isinstance(role, str) for role in roles)
    )


def _timestamp(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no definite timestamp; use an aware UTC datetime")
    return math.floor(moment.timestamp())
