"""The rules of social login in the domain: PKCE, the allow-list of client URLs, the usernames of new
accounts, the flows' freshness, the last way to log in, and the `amr` after a social login's MFA step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.account_values import Email, Username
from domain.accounts import User
from domain.identities import (
    OAUTH_FLOW_TTL,
    PROVIDER_NAME,
    FlowPurpose,
    OAuthFlow,
    login_methods_left,
    pkce_challenge,
    redirect_allowed,
    username_stem,
)
from domain.second_factor import SecondFactorMethod, amr_after

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_pkce_challenge_is_rfc_7636s_s256_example() -> None:
    # RFC 7636 appendix B.
    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


ALLOWED = ("https://app.example.org/signed-in", "http://localhost:3000/cb")


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("https://app.example.org/signed-in", True),
        ("http://localhost:3000/cb", True),
        ("https://app.example.org/signed-in/", False),
        ("https://app.example.org/signed-in?next=/x", False),
        ("https://app.example.org/signed-in#x", False),
        ("https://app.example.org.evil.example/signed-in", False),
        ("HTTPS://APP.EXAMPLE.ORG/signed-in", False),
        ("https://app.example.org/signed-in@evil.example", False),
        ("", False),
    ],
)
def test_only_an_exact_allowed_url_may_receive_the_browser(uri: str, allowed: bool) -> None:
    assert redirect_allowed(uri, ALLOWED) is allowed


@pytest.mark.parametrize(
    ("email", "name", "stem"),
    [
        ("ada.lovelace@example.org", None, "ada_lovelace"),
        ("x@example.org", "Grace Hopper", "user"),
        (None, "Grace Hopper", "Grace_Hopper"),
        ("ünï+tag@example.org", None, "ntag"),
        (None, None, "user"),
        ("a" * 80 + "@example.org", None, "a" * 40),
    ],
)
def test_a_new_accounts_username_comes_from_the_email_or_name(email: str | None, name: str | None, stem: str) -> None:
    assert username_stem(email, name) == stem


@given(st.one_of(st.none(), st.emails()), st.one_of(st.none(), st.text(max_size=300)))
def test_every_stem_is_a_valid_username_with_room_for_a_suffix(email: str | None, name: str | None) -> None:
    stem = username_stem(email, name)
    Username.parse(stem)
    Username.parse(f"{stem}-abcdef")


@pytest.mark.parametrize(
    ("name", "valid"),
    [("google", True), ("corp_sso2", True), ("Google", False), ("2fa", False), ("a-b", False), ("x" * 33, False)],
)
def test_provider_names_are_lower_case_identifiers(name: str, valid: bool) -> None:
    assert bool(PROVIDER_NAME.fullmatch(name)) is valid


def _flow(**changes: object) -> OAuthFlow:
    flow = OAuthFlow.open(
        state_hash="h", provider="google", purpose=FlowPurpose.LOGIN, redirect_uri=ALLOWED[0], nonce="n",
        code_verifier="v", browser_hash="b", user_id=None, now=NOW,
    )  # fmt: skip
    return OAuthFlow(**{**{field: getattr(flow, field) for field in flow.__slots__}, **changes})  # type: ignore[arg-type]


def test_a_flow_is_fresh_until_used_or_ten_minutes_old() -> None:
    flow = _flow()
    assert flow.expires_at == NOW + OAUTH_FLOW_TTL == NOW + timedelta(minutes=10)
    assert flow.is_fresh(NOW + timedelta(minutes=9, seconds=59))
    assert not flow.is_fresh(NOW + OAUTH_FLOW_TTL)
    assert not _flow(used_at=NOW).is_fresh(NOW)


@pytest.mark.parametrize(
    ("password", "identities", "passkeys", "left"),
    [(True, 0, 0, 1), (False, 1, 0, 1), (False, 0, 1, 1), (False, 0, 0, 0), (True, 2, 3, 6)],
)
def test_every_password_identity_and_passkey_is_a_way_to_log_in(
    password: bool, identities: int, passkeys: int, left: int
) -> None:
    assert login_methods_left(has_password=password, identities=identities, passkeys=passkeys) == left


def test_an_account_made_by_a_provider_has_no_password_and_a_verified_email() -> None:
    user = User.register_external(
        email=Email.parse("ada@example.org"), username=Username.parse("ada"), full_name="Ada", now=NOW
    )
    assert not user.has_password
    assert user.email_verified
    assert user.hashed_password is None


@pytest.mark.parametrize(
    ("method", "first", "amr"),
    [
        (SecondFactorMethod.TOTP, "ext", ("ext", "otp", "mfa")),
        (SecondFactorMethod.RECOVERY_CODE, "ext", ("ext", "mfa")),
        (SecondFactorMethod.WEBAUTHN, "ext", ("ext", "hwk", "mfa")),
        (SecondFactorMethod.WEBAUTHN, "pwd", ("pwd", "hwk", "mfa")),
    ],
)
def test_the_mfa_step_keeps_the_first_factor_in_the_amr(
    method: SecondFactorMethod, first: str, amr: tuple[str, ...]
) -> None:
    assert amr_after(method, first) == amr
