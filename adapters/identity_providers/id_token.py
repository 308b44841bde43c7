"""The checks of an OpenID Connect ID token, with joserfc (OpenID Connect Core 1.0, section 3.1.3.7).

Every failure is an `IdentityProviderRefusedError` whose `reason` names the check: `malformed_token`,
`unsupported_alg`, `bad_signature`, `wrong_issuer`, `wrong_audience`, `expired`, `issued_in_future`,
`not_yet_valid`, `no_subject`, `missing_claim`, `wrong_nonce`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
    MissingKeyError,
    UnsupportedAlgorithmError,
)
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import KeySet

from domain.errors import IdentityProviderRefusedError

# Clock skew tolerated between the provider and Bastion on `exp`, `iat` and `nbf`.
LEEWAY_SECONDS = 60
# Real ID tokens are one or two kilobytes; refuse anything far larger before parsing it.
MAX_TOKEN_LENGTH = 16_384
_CLAIM_REASONS = {
    "iss": "wrong_issuer",
    "aud": "wrong_audience",
    "exp": "expired",
    "iat": "issued_in_future",
    "nbf": "not_yet_valid",
    "sub": "no_subject",
}


class _QuietEdDSA(EdDSAAlgorithm):
    # RFC 9864 deprecates the name "EdDSA" and joserfc warns on every use; providers still publish it.
    security_warning = ""


class _Registry(jws.JWSRegistry):
    algorithms = {**jws.JWSRegistry.algorithms, "EdDSA": _QuietEdDSA()}


@dataclass(frozen=True, slots=True, kw_only=True)
class IdTokenExpectations:
    """What the ID token of one redemption must say."""

    issuer: str
    client_id: str
    nonce: str
    now: datetime


def unverified_header(id_token: str) -> dict[str, Any]:
    """The JOSE header of `id_token`, read before any check, to pick the key and refuse an algorithm early."""
    if len(id_token) > MAX_TOKEN_LENGTH or not id_token.isascii():
        raise IdentityProviderRefusedError("malformed_token")
    try:
        return dict(jws.extract_compact(id_token.encode("ascii")).headers())
    except (JoseError, ValueError, TypeError):
        raise IdentityProviderRefusedError("malformed_token") from None


def signed_claims(id_token: str, keys: KeySet, algorithms: frozenset[str]) -> dict[str, Any]:
    """The claims of `id_token` once its signature verifies with a key of `keys` (by `kid`) under one
    of `algorithms`; nothing about the claims is checked yet."""
    # strict_check_header=False: providers may add header members of their own; `crit` is still enforced.
    registry = _Registry(algorithms=sorted(algorithms), strict_check_header=False)
    try:
        return jwt.decode(id_token, keys, registry=registry).claims
    except (BadSignatureError, InvalidKeyIdError, MissingKeyError):
        raise IdentityProviderRefusedError("bad_signature") from None
    except UnsupportedAlgorithmError:
        raise IdentityProviderRefusedError("unsupported_alg") from None
    except (JoseError, ValueError, TypeError):  # a key of another type for the alg, a malformed payload
        raise IdentityProviderRefusedError("malformed_token") from None


def check_claims(claims: dict[str, Any], expected: IdTokenExpectations) -> None:
    """Refuse the claims unless `iss`, `aud` (and `azp`), `exp`, `iat`, `sub` and `nonce` are as expected."""
    registry = jwt.JWTClaimsRegistry(
        now=int(expected.now.timestamp()),
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": expected.issuer},
        aud={"essential": True, "value": expected.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise IdentityProviderRefusedError("expired") from None
    except MissingClaimError as error:
        missing = error.claim.split(",")
        raise IdentityProviderRefusedError("no_subject" if "sub" in missing else "missing_claim") from None
    except ClaimError as error:
        raise IdentityProviderRefusedError(_CLAIM_REASONS.get(error.claim, "missing_claim")) from None
    _check_authorized_party(claims, expected.client_id)
    nonce = claims.get("nonce")
    # Constant time: the nonce is a secret of the flow until the token is accepted.
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode(), expected.nonce.encode()):
        raise IdentityProviderRefusedError("wrong_nonce")


def _check_authorized_party(claims: dict[str, Any], client_id: str) -> None:
    # Section 3.1.3.7, items 4 and 5: with several audiences `azp` must be present, and when present
    # it must be this client.
    audiences = claims["aud"]
    several = isinstance(audiences, list) and len(audiences) > 1
    authorized_party = claims.get("azp")
    if (several or authorized_party is not None) and authorized_party != client_id:
        raise IdentityProviderRefusedError("wrong_audience")
