"""HS256 access-token signing in Hs256TokenIssuer: byte for byte what joserfc's `jwt.encode` gives.

HS256 is deterministic, so joserfc's encoder is an exact oracle: for any claims, the direct signer
must produce the same token, and the token must verify (with joserfc and with the issuer itself).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import OctKey

from adapters.crypto.access_token_profile import timestamp
from adapters.crypto.hs256_issuer import Hs256TokenIssuer
from domain.ids import SessionId, UserId
from domain.sessions import AccessClaims

SECRET = b"0123456789abcdef0123456789abcdef"
NOW = datetime(2031, 5, 17, 9, 30, 15, 999_999, tzinfo=UTC)

_texts = st.text(min_size=1, max_size=40)
CLAIMS = AccessClaims(
    subject=UserId("user-ü"),
    session_id=SessionId("session-1"),
    roles=("admin", "user"),
    issued_at=NOW,
    expires_at=NOW + timedelta(minutes=15),
    token_id="token-1",
)


def the_reference(issuer: Hs256TokenIssuer, claims: AccessClaims, iss: str, aud: str) -> str:
    """What the issuer signed with joserfc before it signed HS256 tokens directly."""
    issued_at = timestamp(claims.issued_at)
    payload = {
        "iss": iss,
        "aud": aud,
        "sub": claims.subject,
        "sid": claims.session_id,
        "jti": claims.token_id,
        "roles": list(claims.roles),
        "amr": list(claims.amr),
        "iat": issued_at,
        "nbf": issued_at,
        "exp": timestamp(claims.expires_at),
    }
    header = {"alg": "HS256", "typ": "at+jwt", "kid": issuer._signing_kid}
    return jwt.encode(header, payload, OctKey.import_key(SECRET), default_type=None)


@st.composite
def _claims(draw: st.DrawFn) -> AccessClaims:
    issued_at = draw(
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))
    )
    return AccessClaims(
        subject=UserId(draw(_texts)),
        session_id=SessionId(draw(_texts)),
        roles=tuple(draw(st.lists(_texts, max_size=4))),
        issued_at=issued_at,
        expires_at=issued_at + timedelta(seconds=draw(st.integers(min_value=1, max_value=86_400))),
        token_id=draw(_texts),
        amr=tuple(draw(st.lists(_texts, max_size=3))),
    )


@given(claims=_claims(), iss=_texts, aud=_texts)
def test_signed_tokens_are_byte_for_byte_joserfc_s(claims: AccessClaims, iss: str, aud: str) -> None:
    issuer = Hs256TokenIssuer(secret=SECRET, issuer=iss, audience=aud)
    assert issuer.issue(claims) == the_reference(issuer, claims, iss, aud)


def test_a_signed_token_verifies_with_joserfc_and_with_the_issuer() -> None:
    issuer = Hs256TokenIssuer(secret=SECRET, issuer="https://bastion.test", audience="bastion-api")
    token = issuer.issue(CLAIMS)
    decoded = jwt.decode(token, OctKey.import_key(SECRET), algorithms=["HS256"])
    assert decoded.header == {"alg": "HS256", "typ": "at+jwt", "kid": issuer._signing_kid}
    assert decoded.claims["sub"] == "user-ü"
    assert decoded.claims["iat"] == decoded.claims["nbf"] == int(NOW.timestamp())
    assert issuer.verify(token, NOW) == AccessClaims(
        subject=CLAIMS.subject,
        session_id=CLAIMS.session_id,
        roles=CLAIMS.roles,
        issued_at=NOW.replace(microsecond=0),  # whole seconds, rounded down
        expires_at=CLAIMS.expires_at.replace(microsecond=0),
        token_id=CLAIMS.token_id,
    )


def test_hs256_signing_does_not_go_through_joserfc(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = Hs256TokenIssuer(secret=SECRET, issuer="https://bastion.test", audience="bastion-api")

    def refuse(*_: object, **__: object) -> str:
        raise AssertionError("joserfc's jwt.encode was called")

    monkeypatch.setattr(jwt, "encode", refuse)
    assert issuer.verify(issuer.issue(CLAIMS), NOW).token_id == "token-1"
