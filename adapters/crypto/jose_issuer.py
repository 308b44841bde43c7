"""JoseTokenIssuer: access tokens as JWTs (RFC 9068 profile) signed with asymmetric keys, with joserfc."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import Key
from joserfc.jws import JWSRegistry

from adapters.crypto.access_token_profile import (
    ACCESS_TOKEN_TYPE,
    MAX_HEADER_LENGTH,
    MAX_TOKEN_LENGTH,
    AccessTokenProfile,
    is_access_token_type,
)
from adapters.crypto.signing_key_material import ASYMMETRIC_ALGORITHMS
from adapters.crypto.signing_key_store import LoadedKeys
from domain.errors import TokenInvalidError
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import AccessClaims

# The members of a public JWK worth publishing (RFC 7518 section 6, RFC 8037 section 2); a filter
# by name rather than by what a library deems private, so that nothing secret can slip through.
_PUBLIC_MEMBERS = frozenset({"kty", "crv", "x", "y", "n", "e"})


class _QuietEdDSA(EdDSAAlgorithm):
    # RFC 9864 deprecates the polymorphic name "EdDSA" for "Ed25519", and joserfc warns on every use.
    # The key store admits Ed25519 keys only, so "EdDSA" means exactly "Ed25519" here, and it is the
    # name that JWT libraries and JWKS consumers understand today. (joserfc tests it for truth.)
    security_warning = ""


class _Registry(JWSRegistry):
    algorithms = {**JWSRegistry.algorithms, "EdDSA": _QuietEdDSA()}


class JoseTokenIssuer(TokenIssuer):
    """Signs and verifies access tokens with joserfc, under EdDSA (Ed25519), ES256 or RS256, with the
    keys of a `SigningKeyStore`; publishes their public halves as a JWKS.

    - Header `{"alg": <configured>, "typ": "at+jwt", "kid": <key id>}`, the `kid` being the key's
      RFC 7638 thumbprint; claims as `AccessTokenProfile` builds and judges them.
    - Verification refuses a token over `MAX_TOKEN_LENGTH` before parsing it, reads the unverified
      header only for its `kid`, which must name one of the loaded keys, and has joserfc check the
      signature under the configured algorithm only (never the one the header names) and the header
      against its registry; the type must be `at+jwt`.
    - Keys are read once, at construction: after a rotation, servers pick up the new key on restart,
      and keep verifying the previous ones for as long as the key store keeps them.
    - Signing and verifying are pure CPU work of up to a millisecond (RS256 signing): no thread pool.
    """

    def __init__(
        self, *, algorithm: str, keys: LoadedKeys, issuer: str, audience: str, leeway_seconds: int = 0
    ) -> None:
        """`keys` come from `SigningKeyStore.load()`.

        Raises:
            ValueError: HS256 or another unsupported algorithm, keys of another algorithm, a negative leeway.
        """
        if algorithm == "HS256":
            raise ValueError(f"HS256 signs with the secret; signing keys are for {', '.join(ASYMMETRIC_ALGORITHMS)}")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise ValueError(f"unsupported JWT algorithm {algorithm!r}; use one of {', '.join(ASYMMETRIC_ALGORITHMS)}")
        if keys.algorithm != algorithm:
            raise ValueError(f"the signing keys are for {keys.algorithm}, not {algorithm}")
        self._profile = AccessTokenProfile(issuer=issuer, audience=audience, leeway_seconds=leeway_seconds)
        self._registry = _Registry(algorithms=[algorithm])
        self._signing_key: Key = keys.signing_key
        self._verification_keys: Mapping[str, Key] = dict(keys.verification_keys)
        self._header = {"alg": algorithm, "typ": ACCESS_TOKEN_TYPE, "kid": keys.signing_kid}
        self._jwks = _public_jwks(algorithm, self._verification_keys)

    def public_jwks(self) -> list[dict[str, str]]:
        return [dict(jwk) for jwk in self._jwks]

    def issue(self, claims: AccessClaims) -> str:
        payload = self._profile.payload(claims)
        return jwt.encode(self._header, payload, self._signing_key, registry=self._registry, default_type=None)

    def verify(self, token: str, now: datetime) -> AccessClaims:
        return self._profile.claims_of(self._decode(token), now)

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
        if decoded.header.get("kid") != kid or not is_access_token_type(decoded.header.get("typ")):
            raise TokenInvalidError
        return decoded.claims


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


def _unverified_kid(token: str) -> str:
    """The `kid` the header claims, read without trusting anything else in it."""
    segment = token.partition(".")[0]
    if len(segment) > MAX_HEADER_LENGTH:
        raise TokenInvalidError
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError) as error:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise TokenInvalidError from error
    kid = header.get("kid") if isinstance(header, dict) else None
    if not isinstance(kid, str):
        raise TokenInvalidError
    return kid
