"""OidcProvider when the provider's discovery document is wrong, or the provider fails, is down or slow:
`DependencyUnavailableError`, within the timeout, and nothing wrong is kept."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import pytest

from adapters.identity_providers.oidc import OidcClientRegistration, OidcProvider
from adapters.memory.clock import FrozenClock
from application.errors import DependencyUnavailableError
from domain.ports.identity_providers import AuthorizationRequest, CodeRedemption
from tests.oidc_provider import LocalOidcProvider
from tests.oidc_provider_records import CLIENT_ID, REDIRECT_URI
from tests.social_login_flows import NONCE, authorized_code, oidc_adapter, sign_in

AUTHORIZATION = AuthorizationRequest(state="s", nonce="n", code_challenge="c" * 43, redirect_uri=REDIRECT_URI)


async def test_a_discovery_document_of_another_issuer_is_not_used(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    idp.discovery["issuer"] = "https://accounts.example.com"

    with pytest.raises(DependencyUnavailableError):
        await oidc.authorization_url(AUTHORIZATION)


async def test_discovered_endpoints_must_be_https(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    idp.discovery["token_endpoint"] = "http://idp.example/token"

    with pytest.raises(DependencyUnavailableError):
        await oidc.authorization_url(AUTHORIZATION)


async def test_a_provider_signing_with_no_asymmetric_algorithm_is_not_used(
    oidc: OidcProvider, idp: LocalOidcProvider
) -> None:
    idp.discovery["id_token_signing_alg_values_supported"] = ["HS256", "none"]

    with pytest.raises(DependencyUnavailableError):
        await oidc.authorization_url(AUTHORIZATION)


async def test_a_wrong_client_secret_is_a_fault_of_configuration_not_a_refused_code(
    idp: LocalOidcProvider, idp_clock: FrozenClock
) -> None:
    registration = OidcClientRegistration(issuer=idp.issuer, client_id=CLIENT_ID, client_secret="not-the-secret")
    misconfigured = OidcProvider("local", "Local IdP", registration, idp_clock)

    with pytest.raises(DependencyUnavailableError):
        await sign_in(misconfigured, redirect_uri=REDIRECT_URI)

    await misconfigured.stop()


def test_an_issuer_over_plain_http_elsewhere_than_loopback_is_refused(idp_clock: FrozenClock) -> None:
    registration = OidcClientRegistration(issuer="http://idp.example", client_id="c", client_secret="s")

    with pytest.raises(ValueError, match="https"):
        OidcProvider("idp", "IdP", registration, idp_clock)


async def test_the_discovery_document_is_kept_an_hour(
    oidc: OidcProvider, idp: LocalOidcProvider, idp_clock: FrozenClock
) -> None:
    await sign_in(oidc, redirect_uri=REDIRECT_URI)
    idp.server.fail("/.well-known/openid-configuration", 500)

    await sign_in(oidc, redirect_uri=REDIRECT_URI)
    idp_clock.advance(timedelta(hours=1))
    with pytest.raises(DependencyUnavailableError):
        await oidc.authorization_url(AUTHORIZATION)


async def test_a_failed_discovery_is_not_kept(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    idp.server.fail("/.well-known/openid-configuration", 503)
    with pytest.raises(DependencyUnavailableError):
        await oidc.authorization_url(AUTHORIZATION)
    idp.server.failing.clear()

    assert (await sign_in(oidc, redirect_uri=REDIRECT_URI)).subject == "user-42"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/token", 500),
        ("/token", 502),
        ("/token", 200),
        ("/token", 403),
        ("/jwks", 500),
        ("/jwks", 404),
        ("/userinfo", 500),
    ],
)
async def test_a_failing_or_garbled_endpoint_makes_the_provider_unavailable(
    oidc: OidcProvider, idp: LocalOidcProvider, path: str, status: int
) -> None:
    idp.email_in_id_token = False  # so that the userinfo endpoint is asked
    idp.server.fail(path, status)

    with pytest.raises(DependencyUnavailableError):
        await sign_in(oidc, redirect_uri=REDIRECT_URI)


async def test_a_provider_that_is_down_is_unavailable(oidc: OidcProvider, idp: LocalOidcProvider) -> None:
    idp.server.down()

    with pytest.raises(DependencyUnavailableError):
        await oidc.authorization_url(AUTHORIZATION)


async def test_a_provider_that_goes_down_before_the_redemption_is_unavailable(
    oidc: OidcProvider, idp: LocalOidcProvider
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = await authorized_code(oidc, verifier, redirect_uri=REDIRECT_URI)
    idp.server.down()

    with pytest.raises(DependencyUnavailableError):
        await oidc.redeem(CodeRedemption(code=code, code_verifier=verifier, nonce=NONCE, redirect_uri=REDIRECT_URI))


async def test_a_slow_provider_is_given_up_on_within_the_timeout(
    idp: LocalOidcProvider, idp_clock: FrozenClock
) -> None:
    slow = oidc_adapter(idp, idp_clock, timeout_seconds=0.3)
    verifier = secrets.token_urlsafe(48)
    code = await authorized_code(slow, verifier, redirect_uri=REDIRECT_URI)
    idp.server.delay = 0.2  # each exchange in time, but not the token, JWKS and userinfo requests together
    started = time.monotonic()

    with pytest.raises(DependencyUnavailableError):
        await slow.redeem(CodeRedemption(code=code, code_verifier=verifier, nonce=NONCE, redirect_uri=REDIRECT_URI))

    assert time.monotonic() - started < 0.8
    await slow.stop()
