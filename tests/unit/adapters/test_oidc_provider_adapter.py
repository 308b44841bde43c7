"""OidcProvider against a real OpenID Connect provider (Authlib's authorization server, tests/oidc_provider.py):
the flow, and every ID token it must refuse."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.identity_providers.oidc import OidcProvider
from adapters.memory.clock import FrozenClock
from domain.errors import IdentityProviderRefusedError
from domain.ports.identity_providers import AuthorizationRequest, CodeRedemption, ProviderIdentity
from tests.oidc_provider import LocalOidcProvider
from tests.oidc_provider_records import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from tests.social_login_flows import NONCE, authorized_code, s256, sign_in


async def refusal(oidc: OidcProvider) -> str:
    with pytest.raises(IdentityProviderRefusedError) as refused:
        await sign_in(oidc, redirect_uri=REDIRECT_URI)
    return refused.value.reason


async def test_sign_in_returns_the_verified_identity(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    identity = await sign_in(oidc, redirect_uri=REDIRECT_URI)

    assert identity == ProviderIdentity(
        issuer=idp.issuer, subject="user-42", email="ada@example.org", email_verified=True, name="Ada Lovelace"
    )


async def test_authorization_url_carries_the_code_flow_parameters(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    request = AuthorizationRequest(state="s t", nonce="n&1", code_challenge="c" * 43, redirect_uri=REDIRECT_URI)

    url = urlsplit(await oidc.authorization_url(request))

    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{idp.issuer}/authorize"
    assert parse_qs(url.query) == {
        "response_type": ["code"],
        "client_id": [CLIENT_ID],
        "redirect_uri": [REDIRECT_URI],
        "scope": ["openid email profile"],
        "state": ["s t"],
        "nonce": ["n&1"],
        "code_challenge": ["c" * 43],
        "code_challenge_method": ["S256"],
    }


async def test_authorization_url_keeps_the_query_the_endpoint_has(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    idp.discovery["authorization_endpoint"] = f"{idp.issuer}/authorize?tenant=a%20b&state=stale"
    request = AuthorizationRequest(state="s", nonce="n", code_challenge="c" * 43, redirect_uri=REDIRECT_URI)

    query = parse_qs(urlsplit(await oidc.authorization_url(request)).query)

    assert query["tenant"] == ["a b"]
    assert query["state"] == ["s"]


async def test_the_code_is_redeemed_with_its_verifier_and_http_basic(
    oidc: OidcProvider, idp: LocalOidcProvider
) -> None:
    await sign_in(oidc, redirect_uri=REDIRECT_URI)

    sent = idp.token_requests[-1]
    assert sent["grant_type"] == "authorization_code"
    assert s256(sent["code_verifier"]) == idp.codes_challenged[-1]
    assert sent["authorization"].startswith("Basic ")
    assert "client_secret" not in sent


async def test_client_secret_post_when_the_provider_supports_only_that(
    oidc: OidcProvider, idp: LocalOidcProvider
) -> None:
    idp.use_client_secret_post()

    await sign_in(oidc, redirect_uri=REDIRECT_URI)

    assert idp.token_requests[-1]["client_secret"] == CLIENT_SECRET
    assert idp.token_requests[-1]["authorization"] == ""


async def test_a_code_redeemed_with_another_verifier_is_refused(oidc: OidcProvider) -> None:
    code = await authorized_code(oidc, secrets.token_urlsafe(48), redirect_uri=REDIRECT_URI)
    redemption = CodeRedemption(
        code=code, code_verifier=secrets.token_urlsafe(48), nonce=NONCE, redirect_uri=REDIRECT_URI
    )

    with pytest.raises(IdentityProviderRefusedError) as refused:
        await oidc.redeem(redemption)

    assert refused.value.reason == "code_refused"


async def test_a_replayed_code_is_refused(oidc: OidcProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    code = await authorized_code(oidc, verifier, redirect_uri=REDIRECT_URI)
    redemption = CodeRedemption(code=code, code_verifier=verifier, nonce=NONCE, redirect_uri=REDIRECT_URI)
    await oidc.redeem(redemption)

    with pytest.raises(IdentityProviderRefusedError) as refused:
        await oidc.redeem(redemption)

    assert refused.value.reason == "code_refused"


async def test_the_email_comes_from_userinfo_when_the_id_token_has_none(
    oidc: OidcProvider, idp: LocalOidcProvider
) -> None:
    idp.email_in_id_token = False

    identity = await sign_in(oidc, redirect_uri=REDIRECT_URI)

    assert (identity.email, identity.email_verified) == ("ada@example.org", True)


async def test_userinfo_about_another_subject_is_not_used(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    idp.email_in_id_token = False
    idp.userinfo_sub = "someone-else"

    identity = await sign_in(oidc, redirect_uri=REDIRECT_URI)

    assert (identity.subject, identity.email, identity.email_verified) == ("user-42", None, False)


async def test_a_refused_userinfo_leaves_the_identity_without_email(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    idp.email_in_id_token = False
    idp.server.fail("/userinfo", 401)

    identity = await sign_in(oidc, redirect_uri=REDIRECT_URI)

    assert (identity.subject, identity.email, identity.email_verified) == ("user-42", None, False)


@pytest.mark.parametrize(
    ("email_verified", "counts"), [(True, True), ("true", True), (False, False), ("false", False), ("yes", False)]
)
async def test_only_a_literal_true_verifies_the_email(
    oidc: OidcProvider, idp: LocalOidcProvider, email_verified: Any, counts: bool
) -> None:
    idp.user.email_verified = email_verified

    assert (await sign_in(oidc, redirect_uri=REDIRECT_URI)).email_verified is counts


TIME_CLAIMS = {"exp", "iat", "nbf"}


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"nonce": "another-nonce"}, "wrong_nonce"),
        ({"aud": "another-client"}, "wrong_audience"),
        ({"aud": [CLIENT_ID, "another-client"]}, "wrong_audience"),
        ({"aud": [CLIENT_ID, "another-client"], "azp": "another-client"}, "wrong_audience"),
        ({"iss": "https://evil.example"}, "wrong_issuer"),
        ({"exp": -120}, "expired"),
        ({"iat": +600}, "issued_in_future"),
    ],
)
async def test_an_id_token_with_a_wrong_claim_is_refused(
    oidc: OidcProvider, idp: LocalOidcProvider, claims: dict[str, Any], reason: str
) -> None:
    # Times are seconds from now, counted when the test runs (a run may start long after collection).
    now = int(time.time())
    idp.id_token_claims = {name: now + value if name in TIME_CLAIMS else value for name, value in claims.items()}

    assert await refusal(oidc) == reason


async def test_an_id_token_for_several_audiences_with_this_client_as_azp_is_accepted(
    oidc: OidcProvider, idp: LocalOidcProvider
) -> None:
    idp.id_token_claims = {"aud": [CLIENT_ID, "another-client"], "azp": CLIENT_ID}

    assert (await sign_in(oidc, redirect_uri=REDIRECT_URI)).subject == "user-42"


async def test_an_id_token_without_subject_is_refused(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    idp.id_token_drop = {"sub"}

    assert await refusal(oidc) == "no_subject"


@pytest.mark.parametrize(
    ("signing", "announced", "reason"),
    [
        ("unpublished", ["RS256"], "bad_signature"),
        ("none", ["RS256", "none"], "unsupported_alg"),
        ("client_secret", ["RS256", "HS256"], "unsupported_alg"),
    ],
)
async def test_an_id_token_not_signed_by_a_published_key_is_refused(
    oidc: OidcProvider, idp: LocalOidcProvider, signing: str, announced: list[str], reason: str
) -> None:
    idp.discovery["id_token_signing_alg_values_supported"] = announced
    idp.id_token_signing = signing

    assert await refusal(oidc) == reason


# The provider signs with joserfc too, which warns of the name "EdDSA" (RFC 9864); Bastion's side does not.
EDDSA = pytest.param("EdDSA", marks=pytest.mark.filterwarnings("ignore:EdDSA is deprecated"))


@pytest.mark.parametrize("algorithm", ["RS512", "PS256", "ES256", "ES512", EDDSA])
async def test_id_tokens_signed_under_another_asymmetric_algorithm_are_accepted(
    oidc: OidcProvider, idp: LocalOidcProvider, algorithm: str
) -> None:
    idp.rotate_keys(algorithm)

    assert (await sign_in(oidc, redirect_uri=REDIRECT_URI)).subject == "user-42"


async def test_an_algorithm_the_provider_does_not_announce_is_refused(
    oidc: OidcProvider, idp: LocalOidcProvider
) -> None:
    idp.rotate_keys("ES256")
    idp.discovery["id_token_signing_alg_values_supported"] = ["RS256"]

    assert await refusal(oidc) == "unsupported_alg"


async def test_a_rolled_over_key_is_fetched(oidc: OidcProvider, idp: LocalOidcProvider, idp_clock: FrozenClock) -> None:
    await sign_in(oidc, redirect_uri=REDIRECT_URI)
    idp.rotate_keys()
    idp_clock.advance(timedelta(seconds=61))

    assert (await sign_in(oidc, redirect_uri=REDIRECT_URI)).subject == "user-42"


async def test_an_unknown_key_refetches_the_jwks_at_most_once_a_minute(
    oidc: OidcProvider, idp: LocalOidcProvider
) -> None:
    await sign_in(oidc, redirect_uri=REDIRECT_URI)
    idp.rotate_keys()

    assert await refusal(oidc) == "bad_signature"
