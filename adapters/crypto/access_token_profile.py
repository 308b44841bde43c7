"""AccessTokenProfile: the claims of an access token (RFC 9068 profile), built and judged alike by every issuer."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from domain.errors import TokenExpiredError, TokenInvalidError
from domain.ids import SessionId, UserId
from domain.sessions import AccessClaims

# RFC 9068 section 2.1; RFC 8725 section 3.11 allows the media type with its prefix too.
ACCESS_TOKEN_TYPE = "at+jwt"
_ACCEPTED_TYPES = frozenset({ACCESS_TOKEN_TYPE, "application/" + ACCESS_TOKEN_TYPE})
# Tokens longer than this are refused before any parsing: ours are well under 2 KiB, even with RS256.
MAX_TOKEN_LENGTH = 8 * 1024
# joserfc refuses a longer header segment (`JWSRegistry.max_header_length`); so does the HS256 check.
MAX_HEADER_LENGTH = 512
_STRING_CLAIMS = ("sub", "sid", "jti")
_TIME_CLAIMS = ("exp", "iat", "nbf")


class AccessTokenProfile:
    """The claims every access token carries, whatever signs it: `iss`, `aud`, `sub`, `exp`, `iat`,
    `nbf` (= `iat`), `jti`, `sid`, `roles` and `amr` (RFC 8176), timestamps in whole seconds rounded down.
    A service account's token (client credentials grant) also carries `client_id` and `scope`
    (RFC 9068 section 2.2: the client's public id, and its scopes space-separated); its `sub` and
    its `sid` are both the service account's id (it has no session: the id stands in the revocation
    list for both), and `roles` and `amr` are empty.

    - `claims_of` requires every claim with the right type, `iss` ours, `aud` ours or a list of strings
      holding ours, `sub`, `sid` and `jti` not empty, `nbf` and `iat` no later than `now` plus the
      leeway, and `exp` later than `now` minus the leeway. These are the rules joserfc's
      `JWTClaimsRegistry` applied when it checked them (tests/unit/adapters/test_hs256_verification.py
      keeps it as the reference); checked directly, they cost a fraction of its time.
    - An expired token is reported as expired only when nothing else is wrong with its claims.
    - Pure computation on dictionaries and datetimes; no library beyond the standard one.
    """

    __slots__ = ("_audience", "_issuer", "_leeway_seconds")

    def __init__(self, *, issuer: str, audience: str, leeway_seconds: int = 0) -> None:
        """`leeway_seconds` allows for clock skew between machines.

        Raises:
            ValueError: a negative leeway.
        """
        if leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        self._issuer = issuer
        self._audience = audience
        self._leeway_seconds = leeway_seconds

    def payload(self, claims: AccessClaims) -> dict[str, Any]:
        """The JWT claims set of `claims`, its members in the order they are serialised."""
        issued_at = timestamp(claims.issued_at)
        payload: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": claims.subject,
            "sid": claims.session_id,
            "jti": claims.token_id,
            "roles": list(claims.roles),
            "amr": list(claims.amr),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": timestamp(claims.expires_at),
        }
        if claims.client_id is not None:
            payload["client_id"] = claims.client_id
            payload["scope"] = " ".join(claims.scopes)
        return payload

    def claims_of(self, payload: dict[str, Any], now: datetime) -> AccessClaims:
        """The claims of a verified token's `payload`, if they hold at `now`.

        Raises:
            TokenExpiredError: the claims are past their `exp`, and nothing else is wrong with them.
            TokenInvalidError: anything else is wrong with them.
            ValueError: `now` is naive.
        """
        self._check(payload, now)
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
            amr=tuple(payload.get("amr", ())),
            client_id=payload.get("client_id"),
            scopes=tuple(payload["scope"].split()) if "client_id" in payload else (),
        )

    def _check(self, payload: dict[str, Any], now: datetime) -> None:
        if not _has_claim_types(payload):
            raise TokenInvalidError
        moment = timestamp(now)
        issuer, audience = payload.get("iss"), payload.get("aud")
        if not (
            # A blank claim matches nothing, not even a blank configuration (joserfc refused blanks first).
            (issuer == self._issuer and issuer != "")
            and (
                (audience == self._audience and audience != "")
                or (isinstance(audience, list) and self._audience in audience and is_str_list(audience))
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


def is_access_token_type(value: object) -> bool:
    """Whether a `typ` header names an access token, ignoring case and the media type prefix."""
    return isinstance(value, str) and value.lower() in _ACCEPTED_TYPES


def is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def timestamp(moment: datetime) -> int:
    """`moment` in whole seconds since the epoch, rounded down."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no definite timestamp; use an aware UTC datetime")
    return math.floor(moment.timestamp())


def _has_claim_types(payload: dict[str, Any]) -> bool:
    roles = payload.get("roles")
    # Optional: tokens signed before sessions remembered their `amr` have none.
    amr = payload.get("amr", [])
    # A service account's token has a `client_id`, and then a `scope` (elsewhere, as any other claim
    # unknown to sessions, a `scope` is ignored).
    client_id = payload.get("client_id")
    return (
        is_str_list(amr)
        and (
            "client_id" not in payload
            or (isinstance(client_id, str) and client_id != "" and isinstance(payload.get("scope"), str))
        )
        and all(isinstance(payload.get(name), str) for name in _STRING_CLAIMS)
        and all(type(payload.get(name)) is int for name in _TIME_CLAIMS)
        and isinstance(roles, list)
        and all(isinstance(role, str) for role in roles)
    )
