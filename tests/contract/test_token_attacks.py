"""Attacks on access tokens, for every algorithm (HS256 with Hs256TokenIssuer, the others with JoseTokenIssuer),
and key rotation end to end.

Every forged token here is refused with exactly `TokenInvalidError` (what the HTTP edge serves as
401 `invalid_token`); only an honest token past its expiry is `TokenExpiredError`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, OctKey, OKPKey, RSAKey, import_key

from adapters.crypto.access_token_profile import MAX_TOKEN_LENGTH
from adapters.crypto.hs256_issuer import Hs256TokenIssuer
from adapters.crypto.jose_issuer import JoseTokenIssuer
from adapters.crypto.signing_key_store import PRUNE_MARGIN, LoadedKeys, SigningKeyStore
from domain.errors import TokenExpiredError, TokenInvalidError
from domain.ids import SessionId, UserId
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import AccessClaims
from tests.builders import OMITTED, access_token_claims

NOW = datetime(2031, 5, 17, 9, 30, tzinfo=UTC)
TTL = timedelta(minutes=15)
LEEWAY_SECONDS = 5
ISSUER = "https://bastion.test"
AUDIENCE = "bastion-api"
ALGORITHMS = ["HS256", "EdDSA", "ES256", "RS256"]
ASYMMETRIC = ["EdDSA", "ES256", "RS256"]
PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
DROP = OMITTED


@dataclass(frozen=True)
class Setup:
    """One configured issuer, and the private material an attacker must not have (used here to craft
    tokens that are signed correctly but wrong in some other way)."""

    algorithm: str
    issuer: TokenIssuer
    kid: str
    signing_key: Key


def an_hs256_issuer(secret: bytes) -> Hs256TokenIssuer:
    return Hs256TokenIssuer(secret=secret, issuer=ISSUER, audience=AUDIENCE, leeway_seconds=LEEWAY_SECONDS)


def a_jose_issuer(algorithm: str, keys: LoadedKeys) -> JoseTokenIssuer:
    return JoseTokenIssuer(
        algorithm=algorithm, keys=keys, issuer=ISSUER, audience=AUDIENCE, leeway_seconds=LEEWAY_SECONDS
    )


def a_setup(algorithm: str, directory: Path) -> Setup:
    if algorithm == "HS256":
        secret = secrets.token_bytes(32)
        issuer = an_hs256_issuer(secret)
        return Setup(algorithm, issuer, _header(issuer.issue(a_claims()))["kid"], OctKey.import_key(secret))
    store = SigningKeyStore(directory, algorithm, rsa_bits=2048)
    store.generate(NOW)
    keys = store.load()
    return Setup(algorithm, a_jose_issuer(algorithm, keys), keys.signing_kid, keys.signing_key)


@pytest.fixture(scope="module", params=ALGORITHMS)
def setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return a_setup(request.param, tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module", params=ALGORITHMS)
def other_setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    """Another deployment, possibly of another algorithm: its tokens and keys are foreign to `setup`."""
    return a_setup(request.param, tmp_path_factory.mktemp("other-keys"))


@pytest.fixture(scope="module", params=ASYMMETRIC)
def asymmetric_setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return a_setup(request.param, tmp_path_factory.mktemp("keys"))


def a_claims(*, issued_at: datetime = NOW, ttl: timedelta = TTL) -> AccessClaims:
    return AccessClaims(
        subject=UserId("user-1"),
        session_id=SessionId("session-1"),
        roles=("user",),
        issued_at=issued_at,
        expires_at=issued_at + ttl,
        token_id="token-1",
    )


def a_payload(**overrides: Any) -> dict[str, Any]:
    lifetime = int(TTL.total_seconds())
    return access_token_claims(
        issuer=ISSUER, audience=AUDIENCE, issued_at=int(NOW.timestamp()), lifetime=lifetime, **overrides
    )


def crafted(setup: Setup, payload: dict[str, Any], *, key: Key | None = None, **header: Any) -> str:
    """A token signed by joserfc with the setup's own private key (or `key`), header fields overridable."""
    full_header = {"alg": setup.algorithm, "typ": "at+jwt", "kid": setup.kid} | header
    full_header = {name: value for name, value in full_header.items() if value is not DROP}
    # An attacker's copy of a key carries no `alg` that would stop joserfc signing another algorithm.
    signing_key = key or setup.signing_key
    unrestricted = import_key(
        {name: value for name, value in signing_key.as_dict(private=True).items() if name != "alg"}
    )
    with warnings.catch_warnings():  # "EdDSA" is deprecated by RFC 9864 and joserfc says so
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(full_header, payload, unrestricted, algorithms=[full_header["alg"]], default_type=None)


def segment(data: bytes | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hmac_signed(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    """An HS256 token built by hand, as an attacker would, with any header and any secret."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{segment(signature)}"


def _header(token: str) -> dict[str, Any]:
    first = token.split(".")[0]
    header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    return header


def assert_invalid(setup: Setup, token: str, now: datetime = NOW) -> None:
    with pytest.raises(TokenInvalidError) as raised:
        setup.issuer.verify(token, now)
    assert type(raised.value) is TokenInvalidError


# What an honest token looks like.


def test_a_token_round_trips(setup: Setup) -> None:
    claims = a_claims()

    assert setup.issuer.verify(setup.issuer.issue(claims), NOW) == claims


def test_the_header_names_the_algorithm_the_type_and_the_key(setup: Setup) -> None:
    assert _header(setup.issuer.issue(a_claims())) == {"alg": setup.algorithm, "typ": "at+jwt", "kid": setup.kid}


def test_a_crafted_token_with_the_right_key_and_claims_is_accepted(setup: Setup) -> None:
    assert setup.issuer.verify(crafted(setup, a_payload()), NOW).subject == "user-1"


def test_signing_and_verifying_raise_no_security_warning(setup: Setup) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        setup.issuer.verify(setup.issuer.issue(a_claims()), NOW)


def test_the_public_jwks_verify_tokens_and_hold_no_private_or_symmetric_material(setup: Setup) -> None:
    jwks = setup.issuer.public_jwks()

    if setup.algorithm == "HS256":
        assert jwks == []
        return
    [jwk] = jwks
    assert {"kid": setup.kid, "alg": setup.algorithm, "use": "sig"}.items() <= jwk.items()
    assert jwk["kty"] in {"OKP", "EC", "RSA"}
    assert not PRIVATE_JWK_MEMBERS & jwk.keys()
    public_key = import_key(dict(jwk))
    assert not public_key.is_private
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        decoded = jwt.decode(setup.issuer.issue(a_claims()), public_key, algorithms=[setup.algorithm])
    assert decoded.claims["sub"] == "user-1"


# Forged algorithms and keys.


@pytest.mark.parametrize("signature", ["", "AAAA"])
def test_an_unsigned_token_is_invalid(setup: Setup, signature: str) -> None:
    unsigned = f"{segment({'alg': 'none', 'typ': 'at+jwt', 'kid': setup.kid})}.{segment(a_payload())}.{signature}"

    assert_invalid(setup, unsigned)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_none_in_any_case_is_invalid_even_with_a_real_signature(setup: Setup, alg: str) -> None:
    _, payload, signature = setup.issuer.issue(a_claims()).split(".")
    forged_header = segment({"alg": alg, "typ": "at+jwt", "kid": setup.kid})

    assert_invalid(setup, f"{forged_header}.{payload}.{signature}")


@pytest.mark.parametrize("form", ["pem", "jwk-json", "jwk-json-sorted", "raw-x"])
def test_an_hs256_token_keyed_with_the_public_key_is_invalid(asymmetric_setup: Setup, form: str) -> None:
    # The classic algorithm confusion: a verifier that lets the header pick HMAC would use the
    # public key, which everyone has, as the shared secret.
    setup = asymmetric_setup
    public = setup.signing_key
    assert isinstance(public, OKPKey | ECKey | RSAKey)
    [jwk] = setup.issuer.public_jwks()
    secret = {
        "pem": public.as_pem(private=False),
        "jwk-json": json.dumps(jwk).encode(),
        "jwk-json-sorted": json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode(),
        "raw-x": base64.urlsafe_b64decode(str(jwk.get("x") or jwk.get("n")) + "=="),
    }[form]

    assert_invalid(setup, hmac_signed({"alg": "HS256", "typ": "at+jwt", "kid": setup.kid}, a_payload(), secret))


@pytest.mark.parametrize(
    ("algorithm", "other_algorithm"),
    [("HS256", "HS384"), ("HS256", "HS512"), ("EdDSA", "Ed25519"), ("RS256", "PS256"), ("RS256", "RS512")],
)
def test_another_algorithm_the_same_key_can_sign_is_invalid(
    tmp_path: Path, algorithm: str, other_algorithm: str
) -> None:
    setup = a_setup(algorithm, tmp_path)

    assert_invalid(setup, crafted(setup, a_payload(), alg=other_algorithm))


def test_a_token_signed_by_another_deployment_is_invalid(setup: Setup, other_setup: Setup) -> None:
    assert_invalid(setup, other_setup.issuer.issue(a_claims()))


def test_our_kid_on_a_token_signed_with_another_key_is_invalid(setup: Setup, tmp_path: Path) -> None:
    another_key = a_setup(setup.algorithm, tmp_path).signing_key

    assert_invalid(setup, crafted(setup, a_payload(), key=another_key))


def test_a_key_embedded_in_the_header_is_never_used(asymmetric_setup: Setup, tmp_path: Path) -> None:
    setup = asymmetric_setup
    attacker = a_setup(setup.algorithm, tmp_path)
    [attacker_jwk] = attacker.issuer.public_jwks()

    for kid in (setup.kid, attacker.kid):
        for injected in ({"jwk": attacker_jwk}, {"jku": "https://evil.test/jwks.json"}, {"x5u": "https://evil.test/c"}):
            assert_invalid(setup, crafted(setup, a_payload(), key=attacker.signing_key, kid=kid, **injected))


# The kid: it must name a configured key, and nothing else is done with it.


@pytest.mark.parametrize(
    "kid",
    [
        "unknown-key",
        "",
        " ",
        "../../etc/passwd",
        "../../../../../../dev/null",
        "/dev/stdin",
        "file:///etc/passwd",
        "https://evil.test/jwks.json",
        "' OR '1'='1",
        "x'; DROP TABLE users; --",
        "$(touch /tmp/pwned)",
        "\u0000",
        "k" * 300,
        "k" * 5000,
    ],
    ids=lambda kid: repr(kid)[:40],
)
def test_a_kid_that_names_no_configured_key_is_invalid(setup: Setup, kid: str) -> None:
    assert_invalid(setup, crafted(setup, a_payload(), kid=kid) if len(kid) < 300 else _forged_kid(setup, kid))


def _forged_kid(setup: Setup, kid: str) -> str:
    """Headers joserfc would refuse to sign (too long): a real signature over a forged header."""
    _, payload, signature = setup.issuer.issue(a_claims()).split(".")
    return f"{segment({'alg': setup.algorithm, 'typ': 'at+jwt', 'kid': kid})}.{payload}.{signature}"


@pytest.mark.parametrize("kid", [DROP, None, 1, ["kid"], {"kid": "x"}, True])
def test_a_missing_or_non_string_kid_is_invalid(setup: Setup, kid: object) -> None:
    header = {"alg": setup.algorithm, "typ": "at+jwt"} | ({} if kid is DROP else {"kid": kid})
    _, payload, signature = setup.issuer.issue(a_claims()).split(".")

    assert_invalid(setup, f"{segment(header)}.{payload}.{signature}")


def test_a_kid_that_differs_in_case_or_padding_is_invalid(setup: Setup) -> None:
    for kid in (setup.kid.upper(), setup.kid.lower(), f" {setup.kid}", f"{setup.kid}\n", setup.kid[:-1]):
        if kid != setup.kid:
            assert_invalid(setup, crafted(setup, a_payload(), kid=kid))


# Damaged tokens.


def test_a_tampered_payload_is_invalid(setup: Setup) -> None:
    header, _, signature = setup.issuer.issue(a_claims()).split(".")

    assert_invalid(setup, f"{header}.{segment(a_payload(roles=['admin']))}.{signature}")
    assert_invalid(setup, f"{header}.{segment(a_payload(sub='user-2'))}.{signature}")


def test_a_tampered_header_is_invalid(setup: Setup) -> None:
    _, payload, signature = setup.issuer.issue(a_claims()).split(".")
    header = segment({"alg": setup.algorithm, "typ": "at+jwt", "kid": setup.kid, "cty": "x"})

    assert_invalid(setup, f"{header}.{payload}.{signature}")


def test_a_truncated_or_altered_signature_is_invalid(setup: Setup) -> None:
    token = setup.issuer.issue(a_claims())
    head, signature = token.rsplit(".", 1)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    for damaged in (token[:-1], token[:-4], f"{head}.", f"{head}.{signature[: len(signature) // 2]}", head):
        assert_invalid(setup, damaged)
    assert_invalid(setup, f"{head}.{flipped}")


@pytest.mark.parametrize(
    "token",
    ["", ".", "..", "a.b.c", "a.b.c.d.e", "é.é.é", "eyJ9.e30.x", "bWVt.e30.", "\u0130" * 10],
    ids=repr,
)
def test_a_malformed_token_is_invalid(setup: Setup, token: str) -> None:
    assert_invalid(setup, token)


def test_a_refresh_or_reset_token_is_not_an_access_token(setup: Setup) -> None:
    for opaque in (secrets.token_urlsafe(32), secrets.token_hex(32), "mem." + secrets.token_urlsafe(24)):
        assert_invalid(setup, opaque)


def test_a_token_over_the_size_bound_is_refused_before_parsing(setup: Setup) -> None:
    fits = crafted(setup, a_payload(pad="x" * 5000))
    too_big = crafted(setup, a_payload(pad="x" * MAX_TOKEN_LENGTH))

    assert setup.issuer.verify(fits, NOW).subject == "user-1"
    assert len(too_big) > MAX_TOKEN_LENGTH
    assert_invalid(setup, too_big)
    assert_invalid(setup, "a" * (MAX_TOKEN_LENGTH + 1))


# Claims: time, type, issuer, audience, presence.


def test_an_expired_token_is_expired(setup: Setup) -> None:
    claims = a_claims()
    token = setup.issuer.issue(claims)
    leeway = timedelta(seconds=LEEWAY_SECONDS)

    assert setup.issuer.verify(token, claims.expires_at + leeway - timedelta(seconds=1)) == claims
    with pytest.raises(TokenExpiredError):
        setup.issuer.verify(token, claims.expires_at + leeway)


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_a_token_not_yet_valid_beyond_the_leeway_is_invalid(setup: Setup, claim: str) -> None:
    now = int(NOW.timestamp())
    within = crafted(setup, a_payload(**{claim: now + LEEWAY_SECONDS}))
    beyond = crafted(setup, a_payload(**{claim: now + LEEWAY_SECONDS + 1}))

    assert setup.issuer.verify(within, NOW).subject == "user-1"
    assert_invalid(setup, beyond)


@pytest.mark.parametrize("claim", ["iss", "aud", "exp", "nbf", "iat", "sub", "jti", "sid", "roles"])
def test_a_token_missing_a_required_claim_is_invalid(setup: Setup, claim: str) -> None:
    assert_invalid(setup, crafted(setup, a_payload(**{claim: DROP})))


@pytest.mark.parametrize("token_type", [DROP, "JWT", "jwt", "at+jwt+x", "refresh+jwt", "secevent+jwt", ""])
def test_a_token_of_another_type_is_invalid(setup: Setup, token_type: object) -> None:
    assert_invalid(setup, crafted(setup, a_payload(), typ=token_type))


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "https://elsewhere.test"},
        {"iss": ISSUER + "/"},
        {"aud": "another-api"},
        {"aud": []},
        {"aud": ["another-api"]},
    ],
    ids=repr,
)
def test_a_token_from_another_issuer_or_for_another_audience_is_invalid(
    setup: Setup, overrides: dict[str, Any]
) -> None:
    assert_invalid(setup, crafted(setup, a_payload(**overrides)))


def test_an_expired_token_from_another_issuer_is_invalid_not_expired(setup: Setup) -> None:
    assert_invalid(setup, crafted(setup, a_payload(iss="https://elsewhere.test")), NOW + TTL + timedelta(hours=1))


# Rotation, end to end.


# Over 30 lines: one key's whole life (sign, rotate, verify both, prune), each step on the previous one's keys.
@pytest.mark.parametrize("algorithm", ASYMMETRIC)
def test_rotation_keeps_old_tokens_valid_until_they_expire_then_prunes_their_key(
    tmp_path: Path, algorithm: str
) -> None:
    store = SigningKeyStore(tmp_path, algorithm, rsa_bits=2048)
    old_kid = store.generate(NOW - timedelta(days=90))
    before = a_jose_issuer(algorithm, store.load())
    old_claims = a_claims(issued_at=NOW)
    old_token = before.issue(old_claims)

    rotated_at = NOW + timedelta(minutes=1)
    new_kid = store.rotate(rotated_at, token_lifetime=TTL)
    after = a_jose_issuer(algorithm, store.load())
    new_claims = a_claims(issued_at=rotated_at)
    new_token = after.issue(new_claims)

    assert new_kid != old_kid
    assert _header(old_token)["kid"] == old_kid
    assert _header(new_token)["kid"] == new_kid
    assert after.verify(old_token, rotated_at) == old_claims
    assert after.verify(new_token, rotated_at) == new_claims
    assert [jwk["kid"] for jwk in after.public_jwks()] == [new_kid, old_kid]
    with pytest.raises(TokenExpiredError):
        after.verify(old_token, old_claims.expires_at + timedelta(seconds=LEEWAY_SECONDS))

    assert store.prune(rotated_at + TTL, token_lifetime=TTL) == []
    assert store.prune(rotated_at + TTL + PRUNE_MARGIN, token_lifetime=TTL) == [old_kid]
    pruned = a_jose_issuer(algorithm, store.load())

    assert [jwk["kid"] for jwk in pruned.public_jwks()] == [new_kid]
    assert pruned.verify(new_token, rotated_at) == new_claims
    # Judged at a time the old token had not expired yet: it fails for its unknown key, not its age.
    with pytest.raises(TokenInvalidError) as raised:
        pruned.verify(old_token, rotated_at)
    assert type(raised.value) is TokenInvalidError


# Construction.


def test_keys_of_another_algorithm_are_refused(tmp_path: Path) -> None:
    store = SigningKeyStore(tmp_path, "ES256")
    store.generate(NOW)

    with pytest.raises(ValueError, match="keys are for ES256, not EdDSA"):
        a_jose_issuer("EdDSA", store.load())


def test_hs256_refuses_signing_keys(tmp_path: Path) -> None:
    store = SigningKeyStore(tmp_path, "EdDSA")
    store.generate(NOW)

    with pytest.raises(ValueError, match="signs with the secret"):
        a_jose_issuer("HS256", store.load())


def test_hs256_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        an_hs256_issuer(b"")


def test_the_hs256_kid_is_stable_and_tells_nothing_of_the_secret() -> None:
    secret = secrets.token_bytes(32)

    kid = _header(an_hs256_issuer(secret).issue(a_claims()))["kid"]

    assert kid == _header(an_hs256_issuer(secret).issue(a_claims()))["kid"]
    assert kid != _header(an_hs256_issuer(secrets.token_bytes(32)).issue(a_claims()))["kid"]
    assert secret.hex()[:16] not in kid
    assert hashlib.sha256(secret).hexdigest()[:16] != kid


def test_the_published_jwks_cannot_be_altered_by_a_caller(asymmetric_setup: Setup) -> None:
    asymmetric_setup.issuer.public_jwks()[0]["kid"] = "changed"

    assert asymmetric_setup.issuer.public_jwks()[0]["kid"] == asymmetric_setup.kid
