"""JoseTokenIssuer: access tokens as signed JWTs (RFC 9068 profile) with joserfc."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry

from domain.errors import TokenExpiredError, TokenInvalidError
from domain.model import AccessClaims, SessionId, UserId
from domain.ports.token_issuer import TokenIssuer

# RFC 9068 section 2.1; RFC 8725 section 3.11 allows the media type with its prefix too.
ACCESS_TOKEN_TYPE = "at+jwt"
_ACCEPTED_TYPES = frozenset({ACCESS_TOKEN_TYPE, "application/" + ACCESS_TOKEN_TYPE})
# Minimum key length per algorithm; an HMAC key should be as long as the hash output (RFC 7518 3.2).
_MIN_SECRET_BYTES = {"HS256": 32}
_ESSENTIAL: ClaimsOption = {"essential": True}
_STRING_CLAIMS = ("sub", "sid", "jti")
_TIME_CLAIMS = ("exp", "iat", "nbf")


class JoseTokenIssuer(TokenIssuer):
    """Signs access tokens with joserfc; HS256 with a shared secret for now.

    - Header `{"alg": <configured>, "typ": "at+jwt"}`; claims `iss`, `aud`, `sub`, `exp`, `iat`,
      `nbf` (= `iat`), `jti`, `sid` and `roles`, timestamps in whole seconds rounded down.
    - Verification accepts only the configured algorithm (never the one the header names) and the
      `at+jwt` type, requires every claim above with the right type, and judges `exp`, `iat` and
      `nbf` against the `now` it is given, with `leeway_seconds` for clock skew between machines.
    - An expired token is reported as expired only when nothing else is wrong with it.
    - Signing and verifying are pure CPU work of microseconds: no thread pool.
    """

    def __init__(
        self, *, secret: bytes, issuer: str, audience: str, leeway_seconds: int = 0, algorithm: str = "HS256"
    ) -> None:
        if algorithm not in _MIN_SECRET_BYTES:
            raise ValueError(f"unsupported JWT algorithm {algorithm!r}")
        if len(secret) < _MIN_SECRET_BYTES[algorithm]:
            raise ValueError(f"the {algorithm} secret must be at least {_MIN_SECRET_BYTES[algorithm]} bytes")
        if leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        self._algorithm = algorithm
        self._issuer = issuer
        self._audience = audience
        self._leeway_seconds = leeway_seconds
        # Asymmetric algorithms will sign with a private key carrying a `kid` (also put in the
        # header) and verify with a key set that keeps the previous public key during a rotation.
        self._signing_key = OctKey.import_key(secret)
        self._verification_key = self._signing_key
        self._header = {"alg": algorithm, "typ": ACCESS_TOKEN_TYPE}

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
        return jwt.encode(self._header, payload, self._signing_key, algorithms=[self._algorithm], default_type=None)

    def verify(self, token: str, now: datetime) -> AccessClaims:
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

    def _decode(self, token: str) -> dict[str, Any]:
        """The claims of a token whose signature verifies under the configured algorithm and whose type fits."""
        try:
            decoded = jwt.decode(token, self._verification_key, algorithms=[self._algorithm])
        except (JoseError, ValueError, TypeError) as error:  # TypeError: a malformed `crit` header
            raise TokenInvalidError from error
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
