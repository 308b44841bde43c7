"""Contract of the TokenIssuer port, over Hs256TokenIssuer, JoseTokenIssuer (EdDSA, ES256, RS256), the memory fake."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from adapters.crypto.hs256_issuer import Hs256TokenIssuer
from adapters.crypto.jose_issuer import JoseTokenIssuer
from adapters.crypto.signing_key_store import LoadedKeys, SigningKeyStore
from adapters.memory.token_issuer import MemoryTokenIssuer
from domain.errors import TokenExpiredError, TokenInvalidError
from domain.ids import SessionId, UserId
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import AccessClaims
from tests.builders import OMITTED, access_token_claims

# Far from the wall clock on purpose: expiry must be judged against the time given to `verify`.
NOW = datetime(2031, 5, 17, 9, 30, tzinfo=UTC)
TTL = timedelta(minutes=15)
SECRET = b"0123456789abcdef0123456789abcdef"
ISSUER = "https://bastion.test"
AUDIENCE = "bastion-api"


def a_claims(*, issued_at: datetime = NOW, ttl: timedelta = TTL) -> AccessClaims:
    return AccessClaims(
        subject=UserId("user-1"),
        session_id=SessionId("session-1"),
        roles=("user", "admin"),
        issued_at=issued_at,
        expires_at=issued_at + ttl,
        token_id="token-1",
        amr=("pwd", "otp", "mfa"),
    )


def an_hs256_issuer(
    *, secret: bytes = SECRET, issuer: str = ISSUER, audience: str = AUDIENCE, leeway_seconds: int = 0
) -> Hs256TokenIssuer:
    return Hs256TokenIssuer(secret=secret, issuer=issuer, audience=audience, leeway_seconds=leeway_seconds)


def new_keys(directory: Path, algorithm: str) -> LoadedKeys:
    store = SigningKeyStore(directory, algorithm, rsa_bits=2048)
    store.generate(NOW)
    return store.load()


@pytest.fixture(params=["HS256", "EdDSA", "ES256", "RS256", "memory"])
def new_issuer(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], TokenIssuer]:
    """Makes independent issuers: none verifies what another one issued."""
    algorithm: str = request.param
    if algorithm == "memory":
        return MemoryTokenIssuer
    if algorithm == "HS256":
        return lambda: an_hs256_issuer(secret=secrets.token_bytes(32))
    return lambda: JoseTokenIssuer(
        algorithm=algorithm, keys=new_keys(tmp_path_factory.mktemp("keys"), algorithm), issuer=ISSUER, audience=AUDIENCE
    )


@pytest.fixture
def issuer(new_issuer: Callable[[], TokenIssuer]) -> TokenIssuer:
    return new_issuer()


# The port contract, over every implementation.


def test_a_token_verifies_into_the_claims_it_was_issued_with(issuer: TokenIssuer) -> None:
    claims = a_claims()

    assert issuer.verify(issuer.issue(claims), NOW) == claims


def test_a_service_accounts_token_verifies_with_its_client_id_and_scopes(issuer: TokenIssuer) -> None:
    claims = replace(a_claims(), roles=(), amr=(), client_id="svc_abc", scopes=("tasks:read", "tasks:write"))

    verified = issuer.verify(issuer.issue(claims), NOW)

    assert verified == claims
    assert verified.is_service


def test_a_token_is_valid_until_just_before_its_expiry(issuer: TokenIssuer) -> None:
    claims = a_claims()

    assert issuer.verify(issuer.issue(claims), claims.expires_at - timedelta(seconds=1)) == claims


@pytest.mark.parametrize("after_expiry", [timedelta(0), timedelta(seconds=1), timedelta(days=400)])
def test_a_token_is_expired_from_its_expiry_on(issuer: TokenIssuer, after_expiry: timedelta) -> None:
    claims = a_claims()
    token = issuer.issue(claims)

    with pytest.raises(TokenExpiredError):
        issuer.verify(token, claims.expires_at + after_expiry)


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b.c", "mem.", "eyJhbGciOiJIUzI1NiJ9.e30.", "eyJhbGciOiJIUzI1NiIsImNyaXQiOjF9.e30.x", "é.é.é"],
)
def test_a_malformed_token_is_invalid(issuer: TokenIssuer, token: str) -> None:
    with pytest.raises(TokenInvalidError) as raised:
        issuer.verify(token, NOW)

    assert type(raised.value) is TokenInvalidError


def test_a_token_from_another_issuer_is_invalid(new_issuer: Callable[[], TokenIssuer]) -> None:
    token = new_issuer().issue(a_claims())

    with pytest.raises(TokenInvalidError) as raised:
        new_issuer().verify(token, NOW)

    assert type(raised.value) is TokenInvalidError


# Hs256TokenIssuer only: the JWT itself and every way it can be wrong (tests/contract/test_token_attacks.py
# asks much the same of every algorithm).


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))),
        json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))),
    )


def _valid_payload(**overrides: Any) -> dict[str, Any]:
    lifetime = int(TTL.total_seconds())
    return access_token_claims(
        issuer=ISSUER, audience=AUDIENCE, issued_at=int(NOW.timestamp()), lifetime=lifetime, **overrides
    )


def _kid() -> str:
    """The key id that the issuer over `SECRET` puts in its headers."""
    header, _ = _parts(an_hs256_issuer().issue(a_claims()))
    return str(header["kid"])


def _signed(payload: dict[str, Any], *, header: dict[str, Any] | None = None, secret: bytes = SECRET) -> str:
    return jwt.encode(
        header or {"alg": "HS256", "typ": "at+jwt", "kid": _kid()},
        payload,
        OctKey.import_key(secret),
        algorithms=["HS256", "HS384", "HS512"],
        default_type=None,
    )


def _hand_signed(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """An HS256 token with a header that joserfc itself refuses to produce."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    signature = hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _assert_invalid(token: str, *, now: datetime = NOW, issuer: Hs256TokenIssuer | None = None) -> None:
    with pytest.raises(TokenInvalidError) as raised:
        (issuer or an_hs256_issuer()).verify(token, now)
    assert type(raised.value) is TokenInvalidError


def test_the_header_names_the_algorithm_the_access_token_type_and_the_key() -> None:
    header, _ = _parts(an_hs256_issuer().issue(a_claims()))

    assert header == {"alg": "HS256", "typ": "at+jwt", "kid": header["kid"]}
    assert isinstance(header["kid"], str)
    assert header["kid"] == _kid()
    assert SECRET.decode() not in header["kid"]


def test_the_payload_carries_every_registered_claim_with_whole_second_times() -> None:
    _, payload = _parts(an_hs256_issuer().issue(a_claims()))

    assert payload == _valid_payload(roles=["user", "admin"], amr=["pwd", "otp", "mfa"])


def test_times_with_fractions_of_seconds_are_rounded_down() -> None:
    claims = a_claims(issued_at=NOW + timedelta(milliseconds=999))

    verified = an_hs256_issuer().verify(an_hs256_issuer().issue(claims), NOW + timedelta(seconds=1))

    assert verified.issued_at == NOW
    assert verified.expires_at == NOW + TTL
    assert verified.expires_at.tzinfo is UTC


@pytest.mark.parametrize(
    "sign", [_signed, lambda payload: _hand_signed({"alg": "HS256", "typ": "at+jwt", "kid": _kid()}, payload)]
)
def test_a_crafted_token_with_every_claim_is_accepted(sign: Callable[[dict[str, Any]], str]) -> None:
    claims = an_hs256_issuer().verify(sign(_valid_payload()), NOW)

    assert claims.subject == "user-1"
    assert claims.roles == ("user",)
    assert claims.amr == ("pwd",)


def test_a_service_token_carries_client_id_and_scope_space_separated() -> None:
    claims = replace(a_claims(), roles=(), amr=(), client_id="svc_abc", scopes=("tasks:read", "tasks:write"))

    _, payload = _parts(an_hs256_issuer().issue(claims))

    assert payload == _valid_payload(roles=[], amr=[], client_id="svc_abc", scope="tasks:read tasks:write")


@pytest.mark.parametrize("extra", [{}, {"scope": "tasks:read"}], ids=repr)
def test_a_token_without_client_id_is_not_a_service_token(extra: dict[str, Any]) -> None:
    claims = an_hs256_issuer().verify(_signed(_valid_payload(**extra)), NOW)

    assert (claims.client_id, claims.scopes, claims.is_service) == (None, (), False)


def test_a_token_without_amr_is_accepted_as_one_without_a_second_factor() -> None:
    claims = an_hs256_issuer().verify(_signed(_valid_payload(amr=OMITTED)), NOW)

    assert claims.amr == ()


def test_expiry_is_judged_against_the_given_time_not_the_wall_clock() -> None:
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    issuer = an_hs256_issuer()

    assert issuer.verify(issuer.issue(a_claims(issued_at=long_ago)), long_ago).issued_at == long_ago


def test_an_unsigned_token_is_invalid() -> None:
    _, payload = an_hs256_issuer().issue(a_claims()).split(".")[:2]
    unsigned = _segment({"alg": "none", "typ": "at+jwt", "kid": _kid()}) + "." + payload + "."

    _assert_invalid(unsigned)


def test_a_token_signed_with_another_secret_is_invalid() -> None:
    _assert_invalid(_signed(_valid_payload(), secret=b"another secret of thirty-two bytes"))


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_a_token_signed_with_another_algorithm_and_the_same_secret_is_invalid(algorithm: str) -> None:
    _assert_invalid(_signed(_valid_payload(), header={"alg": algorithm, "typ": "at+jwt", "kid": _kid()}))


def test_a_tampered_payload_is_invalid() -> None:
    header, _, signature = an_hs256_issuer().issue(a_claims()).split(".")
    tampered = _segment(_valid_payload(roles=["admin"], sub="user-2"))

    _assert_invalid(f"{header}.{tampered}.{signature}")


def test_a_truncated_signature_is_invalid() -> None:
    token = an_hs256_issuer().issue(a_claims())

    _assert_invalid(token[:-4])
    _assert_invalid(token.rsplit(".", 1)[0] + ".")


def test_a_token_of_another_issuer_is_invalid() -> None:
    _assert_invalid(an_hs256_issuer(issuer="https://elsewhere.test").issue(a_claims()))


def test_a_token_for_another_audience_is_invalid() -> None:
    _assert_invalid(an_hs256_issuer(audience="another-api").issue(a_claims()))


def test_a_token_for_several_audiences_including_ours_is_accepted() -> None:
    assert an_hs256_issuer().verify(_signed(_valid_payload(aud=["another-api", AUDIENCE])), NOW).subject == "user-1"


@pytest.mark.parametrize("claim", ["iss", "aud", "sub", "sid", "jti", "roles", "iat", "nbf", "exp"])
def test_a_token_missing_a_required_claim_is_invalid(claim: str) -> None:
    payload = _valid_payload()
    del payload[claim]

    _assert_invalid(_signed(payload))


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": 42},
        {"sub": ""},
        {"sid": 7},
        {"sid": ""},
        {"jti": ["token-1"]},
        {"roles": "admin"},
        {"roles": ["user", 1]},
        {"roles": None},
        {"amr": "mfa"},
        {"amr": ["pwd", 1]},
        {"amr": None},
        {"exp": float(int(NOW.timestamp()) + 900)},
        {"exp": "2031-05-17T09:45:00Z"},
        {"iat": True},
        {"nbf": None},
        {"iss": ["https://bastion.test"]},
        {"exp": 10**20},
        {"client_id": "svc_abc"},
        {"client_id": "", "scope": "tasks:read"},
        {"client_id": 7, "scope": "tasks:read"},
        {"client_id": "svc_abc", "scope": ["tasks:read"]},
    ],
    ids=repr,
)
def test_a_token_with_a_claim_of_the_wrong_shape_is_invalid(overrides: dict[str, Any]) -> None:
    _assert_invalid(_signed(_valid_payload(**overrides)))


@pytest.mark.parametrize("token_type", ["JWT", "jwt", "at+JWT+x", "", 1, None])
def test_a_token_of_another_type_is_invalid(token_type: object) -> None:
    header = {"alg": "HS256", "kid": _kid()} | ({} if token_type is None else {"typ": token_type})

    _assert_invalid(_hand_signed(header, _valid_payload()))


@pytest.mark.parametrize("token_type", ["AT+JWT", "application/at+jwt"])
def test_the_access_token_type_is_compared_ignoring_case_and_media_type_prefix(token_type: str) -> None:
    token = _signed(_valid_payload(), header={"alg": "HS256", "typ": token_type, "kid": _kid()})

    assert an_hs256_issuer().verify(token, NOW).session_id == "session-1"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_a_token_not_yet_valid_is_invalid(claim: str) -> None:
    _assert_invalid(_signed(_valid_payload(**{claim: int(NOW.timestamp()) + 1})))


def test_an_expired_token_with_another_fault_is_invalid_not_expired() -> None:
    # `exp` first, so that a check in payload order would meet the expiry before the audience.
    expired_elsewhere = _signed({"exp": None} | _valid_payload(aud="another-api"))

    _assert_invalid(expired_elsewhere, now=NOW + TTL + timedelta(seconds=1))


def test_the_leeway_tolerates_clock_skew_up_to_its_length() -> None:
    lenient = an_hs256_issuer(leeway_seconds=5)
    claims = a_claims()
    token = lenient.issue(claims)
    early = _signed(_valid_payload(nbf=int(NOW.timestamp()) + 5, iat=int(NOW.timestamp()) + 5))

    assert lenient.verify(token, claims.expires_at + timedelta(seconds=4)) == claims
    assert lenient.verify(early, NOW).subject == "user-1"
    with pytest.raises(TokenExpiredError):
        lenient.verify(token, claims.expires_at + timedelta(seconds=5))
    _assert_invalid(_signed(_valid_payload(nbf=int(NOW.timestamp()) + 6)), issuer=lenient)


def test_a_secret_shorter_than_32_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        an_hs256_issuer(secret=b"x" * 31)


@pytest.mark.parametrize("algorithm", ["none", "PS256", "hs256", "eddsa"])
def test_an_unsupported_algorithm_is_refused(algorithm: str, tmp_path: Path) -> None:
    keys = new_keys(tmp_path, "EdDSA")

    with pytest.raises(ValueError, match="unsupported"):
        JoseTokenIssuer(algorithm=algorithm, keys=keys, issuer=ISSUER, audience=AUDIENCE)


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256", "RS256"])
def test_an_asymmetric_algorithm_without_keys_is_refused(algorithm: str) -> None:
    # Keys are a required argument now, not an optional one checked at run time.
    with pytest.raises(TypeError, match="keys"):
        JoseTokenIssuer(algorithm=algorithm, issuer=ISSUER, audience=AUDIENCE)  # type: ignore[call-arg]


def test_a_symmetric_issuer_publishes_no_key() -> None:
    assert an_hs256_issuer().public_jwks() == []
