"""HS256 access-token verification in Hs256TokenIssuer: its boundaries, hostile tokens, and a property test
against the reference it replaced (joserfc's `jwt.decode` and `JWTClaimsRegistry`, kept below).

Every HS256 token here is signed by hand, so that headers and payloads joserfc would never produce can be
given a signature that verifies: only then do the checks behind the signature get exercised.
"""

from __future__ import annotations

import base64
import hmac
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from adapters.crypto.hs256_issuer import Hs256TokenIssuer
from domain.errors import TokenExpiredError, TokenInvalidError
from domain.ids import SessionId, UserId
from domain.sessions import AccessClaims
from tests.builders import OMITTED, access_token_claims

NOW = datetime(2031, 5, 17, 9, 30, tzinfo=UTC)
T = int(NOW.timestamp())
SECRET = b"0123456789abcdef0123456789abcdef"
OTHER_SECRET = b"another secret of thirty-two bytes"
ISSUER = "https://bastion.test"
AUDIENCE = "bastion-api"
MISSING = OMITTED


def an_issuer(leeway_seconds: int = 0) -> Hs256TokenIssuer:
    return Hs256TokenIssuer(secret=SECRET, issuer=ISSUER, audience=AUDIENCE, leeway_seconds=leeway_seconds)


KID = an_issuer()._signing_kid
HEADER: dict[str, Any] = {"alg": "HS256", "typ": "at+jwt", "kid": KID}


def a_payload(**overrides: Any) -> dict[str, Any]:
    return access_token_claims(issuer=ISSUER, audience=AUDIENCE, issued_at=T, lifetime=900, **overrides)


def segment(data: bytes | str | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw.encode() if isinstance(raw, str) else raw).rstrip(b"=").decode()


def signed(
    header: bytes | str | dict[str, Any] = HEADER,
    payload: bytes | str | dict[str, Any] | None = None,
    *,
    secret: bytes = SECRET,
    digest: str = "sha256",
    raw_payload: str | None = None,
) -> str:
    """A token whose header and payload (JSON text or bytes, or a dict) are MACed with `secret`;
    `raw_payload` is put in the token as it is, not base64url-encoded."""
    payload_segment = raw_payload if raw_payload is not None else segment(a_payload() if payload is None else payload)
    return resigned(f"{segment(header)}.{payload_segment}", secret=secret, digest=digest)


def resigned(signing_input: str, *, secret: bytes = SECRET, digest: str = "sha256") -> str:
    signature = hmac.new(secret, signing_input.encode(), digest).digest()
    return f"{signing_input}.{segment(signature)}"


# The reference: verification as it was done before HS256 was checked by hand, with joserfc.


def _has_claim_types(payload: dict[str, Any]) -> bool:
    roles = payload.get("roles")
    # Added on purpose since: `amr` is optional (tokens signed before it have none), a list of strings when given.
    amr = payload.get("amr", [])
    return (
        isinstance(amr, list)
        and all(isinstance(method, str) for method in amr)
        and all(isinstance(payload.get(name), str) for name in ("sub", "sid", "jti"))
        and all(type(payload.get(name)) is int for name in ("exp", "iat", "nbf"))
        and isinstance(roles, list)
        and all(isinstance(role, str) for role in roles)
    )


def _lenient_header(token: str) -> object:
    first = token.partition(".")[0]
    if len(first) > 1024:
        raise TokenInvalidError
    try:
        return json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    except (ValueError, RecursionError) as error:
        raise TokenInvalidError from error


def reference_verify(token: str, now: datetime, *, leeway: int) -> AccessClaims:
    """What `JoseTokenIssuer.verify` did for HS256 with joserfc 1.8 (when it handled HS256 too), and two
    rules added on purpose: a header with `crit` is refused (joserfc accepted `crit` naming registered
    parameters, and `"b64": false` unencoded payloads), and JSON nested too deeply is refused (joserfc let
    the `RecursionError` escape)."""
    payload = _reference_decode(token)
    _reference_validate(payload, now, leeway)
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
    )


def _reference_decode(token: str) -> dict[str, Any]:
    if len(token) > 8 * 1024 or not token.isascii() or token.count(".") != 2:
        raise TokenInvalidError
    header = _lenient_header(token)
    kid = header.get("kid") if isinstance(header, dict) else None
    if not isinstance(kid, str) or kid != KID:
        raise TokenInvalidError
    if isinstance(header, dict) and "crit" in header:  # added on purpose
        raise TokenInvalidError
    try:
        decoded = jwt.decode(token, OctKey.import_key(SECRET), algorithms=["HS256"])
    except (JoseError, ValueError, TypeError, RecursionError) as error:  # RecursionError: added on purpose
        raise TokenInvalidError from error
    token_type = decoded.header.get("typ")
    if not isinstance(token_type, str) or token_type.lower() not in {"at+jwt", "application/at+jwt"}:
        raise TokenInvalidError
    return decoded.claims


def _reference_validate(payload: dict[str, Any], now: datetime, leeway: int) -> None:
    if not _has_claim_types(payload):
        raise TokenInvalidError
    if now.tzinfo is None:
        raise ValueError("a naive datetime has no definite timestamp")
    registry = JWTClaimsRegistry(
        now=math.floor(now.timestamp()),
        leeway=leeway,
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
        iat={"essential": True},
        nbf={"essential": True},
        sub={"essential": True},
        jti={"essential": True},
        sid={"essential": True},
    )
    try:
        registry.validate({name: value for name, value in payload.items() if name != "exp"} | {"exp": payload["exp"]})
    except ExpiredTokenError as error:
        raise TokenExpiredError from error
    except JoseError as error:
        raise TokenInvalidError from error


Outcome = tuple[str, object]


def outcome(verify: Callable[[], AccessClaims]) -> Outcome:
    """`("accepted", claims)`, or `("refused", <the exact exception type>)`."""
    try:
        return "accepted", verify()
    except (TokenInvalidError, ValueError, RecursionError) as error:
        return "refused", type(error)


ACCEPTED = "accepted"
INVALID = ("refused", TokenInvalidError)
EXPIRED = ("refused", TokenExpiredError)


def verified(token: str, *, now: datetime = NOW, leeway: int = 0) -> object:
    """`ACCEPTED`, `INVALID`, `EXPIRED` or `("refused", <another exception type>)`."""
    result = outcome(lambda: an_issuer(leeway).verify(token, now))
    return ACCEPTED if result[0] == ACCEPTED else result


# Boundaries of the claims: pinned on the joserfc implementation before it was replaced.


@pytest.mark.parametrize(
    ("leeway", "exp", "expected"),
    [
        (0, T + 1, ACCEPTED),
        (0, T, EXPIRED),
        (0, T - 1, EXPIRED),
        (5, T - 4, ACCEPTED),
        (5, T - 5, EXPIRED),
        (0, 0, EXPIRED),
        (0, -(10**20), EXPIRED),
    ],
    ids=repr,
)
def test_token_expiry_boundary(leeway: int, exp: int, expected: object) -> None:
    assert verified(signed(payload=a_payload(iat=min(T, exp), nbf=min(T, exp), exp=exp)), leeway=leeway) == expected


@pytest.mark.parametrize("claim", ["nbf", "iat"])
@pytest.mark.parametrize(
    ("leeway", "ahead", "expected"), [(0, 0, ACCEPTED), (0, 1, INVALID), (5, 5, ACCEPTED), (5, 6, INVALID)]
)
def test_token_not_yet_valid_boundary(claim: str, leeway: int, ahead: int, expected: object) -> None:
    assert verified(signed(payload=a_payload(**{claim: T + ahead})), leeway=leeway) == expected


def test_token_times_are_judged_in_whole_seconds_rounded_down() -> None:
    token = signed(payload=a_payload(exp=T + 1, nbf=T + 1, iat=T + 1))

    assert verified(token, now=NOW + timedelta(milliseconds=999)) == INVALID  # nbf is a second ahead
    assert verified(token, now=NOW + timedelta(seconds=1)) == EXPIRED
    assert verified(signed(payload=a_payload(exp=T + 1)), now=NOW + timedelta(milliseconds=999)) == ACCEPTED


def test_token_expired_and_otherwise_wrong_is_invalid_not_expired() -> None:
    for fault in ({"aud": "another-api"}, {"iss": ""}, {"nbf": T + 1}, {"sub": ""}, {"roles": "admin"}):
        assert verified(signed(payload=a_payload(exp=T - 1) | fault)) == INVALID, fault


def test_token_expired_with_an_unrepresentable_iat_is_expired_but_invalid_when_not_expired() -> None:
    # The claims registry runs before the timestamps become datetimes; this order is kept.
    assert verified(signed(payload=a_payload(iat=-(10**20), exp=T - 1))) == EXPIRED
    assert verified(signed(payload=a_payload(iat=-(10**20)))) == INVALID
    assert verified(signed(payload=a_payload(exp=10**20))) == INVALID


@pytest.mark.parametrize(
    ("aud", "expected"),
    [
        (AUDIENCE, ACCEPTED),
        ([AUDIENCE], ACCEPTED),
        (["another-api", AUDIENCE], ACCEPTED),
        ([], INVALID),
        (["another-api"], INVALID),
        ([AUDIENCE, 1], INVALID),
        ("", INVALID),
        ("another-api", INVALID),
        (AUDIENCE.upper(), INVALID),
        ({"aud": AUDIENCE}, INVALID),
        (None, INVALID),
        (MISSING, INVALID),
    ],
    ids=repr,
)
def test_token_audience_is_ours_or_a_list_holding_ours(aud: object, expected: object) -> None:
    assert verified(signed(payload=a_payload(aud=aud))) == expected


@pytest.mark.parametrize("iss", ["", ISSUER + "/", ISSUER.upper(), [ISSUER], None, MISSING, 1])
def test_token_issuer_must_be_ours_exactly(iss: object) -> None:
    assert verified(signed(payload=a_payload(iss=iss))) == INVALID


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": ""},
        {"sid": ""},
        {"jti": ""},
        {"sub": MISSING},
        {"roles": [1]},
        {"exp": True},
        {"iat": float(T)},
        {"nbf": str(T)},
    ],
    ids=repr,
)
def test_token_claims_of_the_wrong_shape_are_invalid(overrides: dict[str, Any]) -> None:
    assert verified(signed(payload=a_payload(**overrides))) == INVALID


def test_token_blank_issuer_or_audience_is_never_ours() -> None:
    # joserfc's registry refuses a blank claim before comparing it, even with a blank configuration.
    def blank(**configuration: str) -> Hs256TokenIssuer:
        return Hs256TokenIssuer(secret=SECRET, **({"issuer": ISSUER, "audience": AUDIENCE} | configuration))

    assert outcome(lambda: blank(issuer="").verify(signed(payload=a_payload(iss="")), NOW)) == INVALID
    assert outcome(lambda: blank(audience="").verify(signed(payload=a_payload(aud="")), NOW)) == INVALID


def test_token_with_extra_claims_and_empty_roles_is_accepted() -> None:
    claims = an_issuer().verify(signed(payload=a_payload(roles=[], scope="x", nested={"a": [1, 2.5, None]})), NOW)

    assert claims.roles == ()
    assert claims.subject == "user-1"


def test_token_verification_needs_an_aware_now_once_the_signature_holds() -> None:
    naive = datetime(2031, 5, 17, 9, 30)  # naive on purpose

    assert verified(signed(), now=naive) == ("refused", ValueError)
    assert verified(signed(secret=OTHER_SECRET), now=naive) == INVALID


# The header: pinned on joserfc's JWS registry, which refused parameters it did not know.


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"typ": "AT+JWT"}, ACCEPTED),
        ({"typ": "Application/At+Jwt"}, ACCEPTED),
        ({"typ": "JWT"}, INVALID),
        ({"typ": "at+jwt "}, INVALID),
        ({"typ": 1}, INVALID),
        ({"typ": MISSING}, INVALID),
        ({"alg": "HS384"}, INVALID),
        ({"alg": "hs256"}, INVALID),
        ({"alg": "none"}, INVALID),
        ({"alg": "RS256"}, INVALID),
        ({"alg": MISSING}, INVALID),
        ({"kid": KID.upper()}, INVALID),
        ({"kid": MISSING}, INVALID),
        ({"cty": "JWT"}, ACCEPTED),
        ({"cty": 1}, INVALID),
        ({"x5t": "abc", "x5t#S256": "def"}, ACCEPTED),
        ({"jku": "https://evil.test/jwks.json"}, ACCEPTED),
        ({"x5u": "http://evil.test/cert"}, ACCEPTED),
        ({"jku": "ftp://evil.test/jwks.json"}, INVALID),
        ({"x5u": 1}, INVALID),
        ({"jwk": {"kty": "oct"}}, ACCEPTED),
        ({"jwk": "key"}, INVALID),
        ({"x5c": []}, ACCEPTED),
        ({"x5c": ["a", 1]}, INVALID),
        ({"b64": True}, ACCEPTED),
        ({"b64": False}, INVALID),
        ({"b64": 1}, INVALID),
        ({"enc": "A128GCM"}, INVALID),
        ({"zip": "DEF"}, INVALID),
        ({"foo": "bar"}, INVALID),
    ],
    ids=repr,
)
def test_token_header_parameters_are_checked_behind_a_valid_signature(
    changes: dict[str, Any], expected: object
) -> None:
    header = {name: value for name, value in (HEADER | changes).items() if value is not MISSING}
    assert verified(signed(header)) == expected


@pytest.mark.parametrize("crit", [[], ["kid"], ["b64"], ["foo"], "kid", 1])
def test_token_with_crit_is_invalid(crit: object) -> None:
    # Changed on purpose: joserfc accepted `crit` naming registered parameters, even an empty list.
    assert verified(signed(HEADER | {"crit": crit})) == INVALID


def test_token_with_an_unencoded_payload_is_invalid() -> None:
    # Changed on purpose: joserfc accepted RFC 7797 `"b64": false` payloads, which a JWT never has.
    raw = json.dumps(a_payload(), separators=(",", ":")).replace(".", "\\u002e")

    assert verified(signed(HEADER | {"b64": False, "crit": ["b64"]}, raw_payload=raw)) == INVALID


def test_token_header_with_a_duplicate_member_takes_the_last() -> None:
    def header(first: str, last: str) -> str:
        return f'{{"alg":"{first}","typ":"at+jwt","kid":"{KID}","alg":"{last}"}}'

    assert verified(signed(header("none", "HS256"))) == ACCEPTED
    assert verified(signed(header("HS256", "none"))) == INVALID


@pytest.mark.parametrize(
    "header",
    ["[]", '"HS256"', "null", "", "{", f'{{"alg":"HS256","typ":"at+jwt","kid":"{KID}"}} x', '{"alg":"HS256"}'],
    ids=repr,
)
def test_token_header_that_is_not_a_json_object_with_our_kid_is_invalid(header: str) -> None:
    assert verified(signed(header)) == INVALID


def test_token_header_segment_of_512_characters_is_accepted_but_not_longer() -> None:
    def padded(filler: int) -> str:
        return signed(HEADER | {"cty": "x" * filler})

    longest = padded(384 - len(json.dumps(HEADER | {"cty": ""})))
    assert len(longest.split(".")[0]) == 512
    assert verified(longest) == ACCEPTED
    assert len(padded(385 - len(json.dumps(HEADER | {"cty": ""}))).split(".")[0]) > 512
    assert verified(padded(385 - len(json.dumps(HEADER | {"cty": ""})))) == INVALID


# The JSON texts: the standard library's parser was the reference, and its leniencies are kept.


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (json.dumps(a_payload() | {"x": float("nan"), "y": float("inf")}).encode(), ACCEPTED),
        (json.dumps(a_payload(), indent=2).encode(), ACCEPTED),
        (json.dumps(a_payload() | {"x": "\udc00"}).encode(), ACCEPTED),
        (json.dumps(a_payload()).encode("utf-16"), ACCEPTED),
        (json.dumps(a_payload()).encode("utf-32-be"), ACCEPTED),
        (b"\xef\xbb\xbf" + json.dumps(a_payload()).encode(), ACCEPTED),
        (json.dumps(a_payload() | {"x": 10**100}).encode(), ACCEPTED),
        (json.dumps(a_payload()).replace('"sub"', '"sub": "user-2", "sub"', 1).encode(), ACCEPTED),
        (json.dumps(a_payload()).replace("}", ', "sub": ""}').encode(), INVALID),
        (json.dumps(a_payload()).replace("}", ', "x": ' + "9" * 5000 + "}").encode(), INVALID),
        (json.dumps(a_payload()).replace("}", ', "x": "\x01"}').encode(), INVALID),
        (json.dumps(a_payload()).encode() + b"\x00", INVALID),
        (json.dumps([a_payload()]).encode(), INVALID),
        (b"", INVALID),
        (b"null", INVALID),
    ],
    ids=lambda value: repr(value)[:60],
)
def test_token_payload_json_is_parsed_like_the_standard_library(payload: bytes, expected: object) -> None:
    assert verified(signed(payload=payload)) == expected


@pytest.mark.parametrize("where", ["header", "payload"])
def test_token_nested_too_deeply_is_invalid(where: str) -> None:
    # Changed on purpose for the payload: joserfc let the `RecursionError` escape.
    nested = "[" * 1500 + "]" * 1500
    header = json.dumps(HEADER).replace("}", f', "cty": {nested}}}') if where == "header" else HEADER
    payload = json.dumps(a_payload()).replace("}", f', "x": {nested}}}') if where == "payload" else a_payload()

    assert verified(signed(header, payload)) == INVALID


# Damaged and forged tokens.


def _parts() -> tuple[str, str, str]:
    header, payload, signature = signed().split(".")
    return header, payload, signature


def _non_canonical(segment_text: str) -> str:
    """The same bytes, with the unused low bits of the last character set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(segment_text) % 4 in (2, 3)
    return segment_text[:-1] + alphabet[alphabet.index(segment_text[-1]) + 1]


def test_a_well_formed_token_verifies_and_its_parts_are_canonical() -> None:
    header, payload, signature = _parts()

    assert verified(f"{header}.{payload}.{signature}") == ACCEPTED
    assert len(signature) % 4 == 3  # so that `_non_canonical` applies to the signature


@pytest.mark.parametrize(
    "damage",
    [
        lambda h, p, s: f"{h}.{p}.{_non_canonical(s)}",
        lambda h, p, s: f"{h}.{p}.{s}=",
        lambda h, p, s: f"{h}.{p}.{s}A",
        lambda h, p, s: f"{h}.{p}.{s[:-1]}",
        lambda h, p, s: f"{h}.{p}.",
        lambda h, p, s: f"{h}.{p}.{s.replace('-', '+').replace('_', '/')}X+/",
        lambda h, p, s: f"{h}.{p}.{s[:10]} {s[10:]}",
        lambda h, p, s: f"{h}.{p}.{s[:10]}\n{s[10:]}",
        lambda h, p, s: f"{h}.{p}",
        lambda h, p, s: f"{h}.{p}.{s}.{s}",
        lambda h, p, s: f"{h}.{h}.{p}",
        lambda h, p, s: f"{p}.{h}.{s}",
        lambda h, p, s: f"{h}..{s}",
        lambda h, p, s: f".{p}.{s}",
        lambda h, p, s: f"{h}.{p}.{s}\u00e9",
        lambda h, p, s: f"{h}.{p}.{s}" + "A" * (8 * 1024),
    ],
)
def test_token_damaged_outside_the_signing_input_is_invalid(damage: Callable[[str, str, str], str]) -> None:
    assert verified(damage(*_parts())) == INVALID


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text + "=",
        lambda text: text + "==",
        lambda text: text + "=" * (-len(text) % 4) + "QUFB",  # what follows padding, a lenient decoder drops
        lambda text: text + "A",
        lambda text: _non_canonical(text),
        lambda text: text[:5] + "+" + text[6:],
        lambda text: text[:5] + "/" + text[6:],
        lambda text: text[:5] + "!" + text[6:],
        lambda text: text[:5] + " " + text[6:],
        lambda text: text[:5] + "\t" + text[5:],
        # Four characters keep the length mod 4, so a decoder that skipped them would see the same bytes.
        lambda text: text[:5] + "    " + text[5:],
        lambda text: text[:8] + "\n\n\n\n" + text[8:],
        lambda text: text[:5] + "!!!!" + text[5:],
    ],
)
@pytest.mark.parametrize("which", [0, 1])
def test_token_segment_not_in_strict_base64url_is_invalid_even_when_the_signature_covers_it(
    damage: Callable[[str], str], which: int
) -> None:
    parts = signed(HEADER | {"cty": "xy"}, a_payload(sub="user-1234")).split(".")[:2]  # lengths 2 and 3 mod 4
    parts[which] = damage(parts[which])

    assert verified(resigned(".".join(parts))) == INVALID


@pytest.mark.parametrize("which", [0, 1])
def test_token_segment_in_standard_base64_is_invalid_even_when_the_signature_covers_it(which: int) -> None:
    # "~~~???" encodes to base64url with both "-" and "_", where standard base64 has "+" and "/".
    parts = signed(HEADER | {"cty": "~~~???"}, a_payload(sub="~~~???")).split(".")[:2]
    assert "-" in parts[which]
    assert "_" in parts[which]
    parts[which] = parts[which].replace("-", "+").replace("_", "/")

    assert verified(resigned(".".join(parts))) == INVALID


@pytest.mark.parametrize(
    ("secret", "digest"), [(OTHER_SECRET, "sha256"), (SECRET, "sha384"), (SECRET, "sha512"), (SECRET[:-1], "sha256")]
)
def test_token_signed_with_another_key_or_hash_is_invalid(secret: bytes, digest: str) -> None:
    assert verified(signed(secret=secret, digest=digest)) == INVALID


@pytest.mark.parametrize("alg", ["HS384", "HS512", "RS256", "none"])
def test_token_whose_alg_is_swapped_is_invalid_even_signed_with_our_secret(alg: str) -> None:
    digest = {"HS384": "sha384", "HS512": "sha512"}.get(alg, "sha256")

    assert verified(signed(HEADER | {"alg": alg}, secret=SECRET, digest=digest)) == INVALID


def test_token_with_a_tampered_payload_or_header_is_invalid() -> None:
    header, payload, signature = _parts()

    assert verified(f"{header}.{segment(a_payload(sub='user-2'))}.{signature}") == INVALID
    assert verified(f"{segment(HEADER | {'cty': 'x'})}.{payload}.{signature}") == INVALID


def test_token_verification_of_hs256_does_not_go_through_joserfc(monkeypatch: pytest.MonkeyPatch) -> None:
    # What makes it cheap, pinned without timing anything.
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("joserfc was called")

    monkeypatch.setattr(jwt, "decode", refuse)
    monkeypatch.setattr(jwt, "JWTClaimsRegistry", refuse)
    issuer = an_issuer()
    claims = AccessClaims(
        subject=UserId("user-1"),
        session_id=SessionId("session-1"),
        roles=("user",),
        issued_at=NOW,
        expires_at=NOW + timedelta(minutes=15),
        token_id="token-1",
    )

    assert issuer.verify(issuer.issue(claims), NOW) == claims


# The property: for any claims, header, encoding and damage, the outcome is the reference's.

_TEXT = st.text(max_size=6)
_JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _TEXT)
_CLAIM_ALTERNATIVES: dict[str, st.SearchStrategy[object]] = {
    "iss": st.sampled_from([ISSUER, ISSUER + "/", "", [ISSUER], 1, None, MISSING]),
    "aud": st.sampled_from(
        [AUDIENCE, "", "other", [AUDIENCE], ["other", AUDIENCE], [], ["other"], [AUDIENCE, 1], [""], 1, None, MISSING]
    ),
    "sub": st.one_of(st.sampled_from(["", None, 1, ["x"], MISSING]), _TEXT),
    "sid": st.one_of(st.sampled_from(["", None, 1, MISSING]), _TEXT),
    "jti": st.one_of(st.sampled_from(["", None, 1.5, MISSING]), _TEXT),
    "roles": st.one_of(st.lists(_TEXT, max_size=3), st.sampled_from(["admin", None, ["user", 1], {}, MISSING])),
    "amr": st.one_of(st.lists(_TEXT, max_size=3), st.sampled_from(["mfa", None, ["pwd", 1], {}, MISSING])),
    "iat": st.one_of(st.integers(), st.sampled_from([True, float(T), str(T), None, 10**20, -(10**20), MISSING])),
    "nbf": st.one_of(st.integers(), st.sampled_from([False, float(T), None, 2**63, MISSING])),
    "exp": st.one_of(st.integers(), st.sampled_from([True, float(T + 900), None, 10**20, 0, -1, MISSING])),
}
_HEADER_ALTERNATIVES: dict[str, st.SearchStrategy[object]] = {
    "alg": st.sampled_from(["HS384", "HS512", "none", "None", "RS256", "EdDSA", "hs256", "HS256 ", 1, None, MISSING]),
    "typ": st.sampled_from(["AT+JWT", "application/at+jwt", "Application/AT+jwt", "JWT", "", "at+jwt ", 1, MISSING]),
    "kid": st.one_of(st.sampled_from([KID.upper(), KID[:-1], "", 1, None, MISSING]), _TEXT),
    "cty": st.sampled_from(["JWT", 1]),
    "jku": st.sampled_from(["https://evil.test/k", "http://e", "ftp://e", 1]),
    "x5u": st.sampled_from(["https://evil.test/c", "file:///etc/passwd"]),
    "jwk": st.sampled_from([{}, {"kty": "oct", "k": "AAAA"}, "k", []]),
    "x5c": st.sampled_from([[], ["a"], [1], "a"]),
    "x5t": st.sampled_from(["a", 1]),
    "x5t#S256": st.sampled_from(["a", None]),
    "b64": st.sampled_from([True, False, 1, "true"]),
    "crit": st.sampled_from([[], ["kid"], ["b64"], ["foo"], "kid", 1, None]),
    "enc": st.just("A128GCM"),
    "foo": _JSON_SCALARS,
}
_ENCODINGS = ["spaced", "sorted", "duplicate-first", "nan", "bom", "utf-16", "nested", "garbled", "garbled"]
_SIGNERS = ["other-secret", "sha384", "sha512", "empty", "short"]
_DAMAGES = ["flip", "drop", "duplicate", "pad", "stray", "swap", "cut"]
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_STRAYS = "=+/. \t\n~!%\u00e9\u0130\x00"
# What a case changes from an honest token: nothing, one aspect, two, or all of them at random.
_ASPECTS = ("times", "claims", "header", "encoding", "signature", "damage")
_FOCUSES = [(), *((aspect,) for aspect in _ASPECTS), ("times", "claims"), ("times", "header"), _ASPECTS]


def _json_text(data: dict[str, Any], encoding: str) -> bytes:
    """`data` as JSON, in one of the forms a hand-made token may use."""
    if encoding == "spaced":
        return json.dumps(data, indent=1).encode()
    if encoding == "sorted":
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    if encoding == "duplicate-first" and data:
        first = next(iter(data))
        return json.dumps({first: "shadowed"})[:-1].encode() + b", " + json.dumps(data)[1:].encode()
    if encoding == "nan":
        return json.dumps(data | {"x-nan": float("nan")}).encode()
    if encoding == "bom":
        return b"\xef\xbb\xbf" + json.dumps(data).encode()
    if encoding == "utf-16":
        return json.dumps(data).encode("utf-16")
    if encoding == "nested":
        return json.dumps(data | {"x-nested": [[[{"a": [[]]}]]]}).encode()
    return json.dumps(data, separators=(",", ":")).encode()


def _encoded(draw: st.DrawFn, data: dict[str, Any], encoding: str) -> bytes:
    """`data` as JSON text, or, `garbled`, with a byte or two put in or over it somewhere."""
    if encoding != "garbled":
        return _json_text(data, encoding)
    text = _json_text(data, "compact")
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.binary(min_size=1, max_size=2)) + text[at + draw(st.integers(0, 1)) :]


def _sign(signing_input: str, signer: str) -> str:
    if signer == "empty":
        return signing_input + "."
    if signer == "short":
        return resigned(signing_input)[:-2]
    secret = OTHER_SECRET if signer == "other-secret" else SECRET
    digest = signer if signer in ("sha384", "sha512") else "sha256"
    return resigned(signing_input, secret=secret, digest=digest)


def _damaged(token: str, kind: str, which: int, position: int, character: str) -> str:
    parts = token.split(".")
    text = parts[which]
    at = position % (len(text) + 1)
    if kind == "flip" and text:
        parts[which] = text[: at % len(text)] + character + text[at % len(text) + 1 :]
    elif kind == "drop":
        del parts[which]
    elif kind == "duplicate":
        parts.insert(which, text)
    elif kind == "pad":
        parts[which] = text + "=" * (1 + position % 2)
    elif kind == "stray":
        parts[which] = text[:at] + character + text[at:]
    elif kind == "swap":
        parts[which], parts[(which + 1) % 3] = parts[(which + 1) % 3], text
    elif kind == "cut":
        parts[which] = text[:at]
    return ".".join(parts)


@dataclass(frozen=True)
class Case:
    token: str
    now: datetime
    leeway: int


def _altered(
    draw: st.DrawFn, base: dict[str, Any], alternatives: dict[str, st.SearchStrategy[object]]
) -> dict[str, Any]:
    data = dict(base)
    for name in draw(st.lists(st.sampled_from(sorted(alternatives)), min_size=1, max_size=2, unique=True)):
        value = draw(alternatives[name])
        if value is MISSING:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@st.composite
def _cases(draw: st.DrawFn) -> Case:
    focus = draw(st.sampled_from(_FOCUSES))
    leeway = draw(st.sampled_from([0, 1, 5]))
    now = NOW + timedelta(milliseconds=draw(st.integers(-7_000, 7_000)))
    payload = a_payload(iat=T - 60, nbf=T - 60)
    if "times" in focus:  # each time well inside its bound, or within seconds of it, where the off-by-ones are
        past = st.one_of(st.integers(T - 900, T - 8), st.integers(T - 7, T + 7))
        future = st.one_of(st.integers(T + 8, T + 900), st.integers(T - 7, T + 7))
        payload |= {"iat": draw(past), "nbf": draw(past), "exp": draw(future)}
    if "claims" in focus:
        payload = _altered(draw, payload, _CLAIM_ALTERNATIVES)
        payload |= draw(st.dictionaries(_TEXT.map(lambda name: "x-" + name), _JSON_SCALARS, max_size=2))
    header = _altered(draw, HEADER, _HEADER_ALTERNATIVES) if "header" in focus else HEADER
    encodings = st.sampled_from(_ENCODINGS if "encoding" in focus else ["compact"])
    header_text, payload_text = _encoded(draw, header, draw(encodings)), _encoded(draw, payload, draw(encodings))
    signer = draw(st.sampled_from(_SIGNERS if "signature" in focus else ["ours"]))
    token = _sign(f"{segment(header_text)}.{segment(payload_text)}", signer)
    if "damage" in focus:
        kind, which = draw(st.sampled_from(_DAMAGES)), draw(st.integers(0, 2))
        token = _damaged(token, kind, which, draw(st.integers(0, 10_000)), draw(st.sampled_from(_ALPHABET + _STRAYS)))
    return Case(token, now, leeway)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_token_verification_agrees_with_the_reference(case: Case) -> None:
    expected = outcome(lambda: reference_verify(case.token, case.now, leeway=case.leeway))

    assert outcome(lambda: an_issuer(case.leeway).verify(case.token, case.now)) == expected
