"""GitHubProvider against a GitHub-shaped fake (tests/github_fake.py), at GitHub Enterprise Server paths."""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.identity_providers.github import GitHubProvider
from application.errors import DependencyUnavailableError
from domain.errors import IdentityProviderRefusedError
from domain.ports.identity_providers import AuthorizationRequest, CodeRedemption, ProviderIdentity
from tests import social_login_flows as flows
from tests.github_fake import CLIENT_ID, GitHubFake

REDIRECT_URI = "https://bastion.test/auth/oauth/github/callback"


async def authorized_code(github_client: GitHubProvider, verifier: str) -> str:
    return await flows.authorized_code(github_client, verifier, redirect_uri=REDIRECT_URI)


async def sign_in(github_client: GitHubProvider) -> ProviderIdentity:
    return await flows.sign_in(github_client, redirect_uri=REDIRECT_URI)


async def test_sign_in_returns_the_user_and_the_primary_verified_email(
    github_client: GitHubProvider, github: GitHubFake
) -> None:
    identity = await sign_in(github_client)

    assert identity == ProviderIdentity(
        issuer=github.url, subject="4242", email="ada@example.org", email_verified=True, name="Ada Lovelace"
    )
    assert github.token_requests[-1]["code_verifier"]


async def test_authorization_url_asks_for_the_user_and_the_emails_with_pkce(github_client: GitHubProvider) -> None:
    request = AuthorizationRequest(state="s", nonce="n", code_challenge="c" * 43, redirect_uri=REDIRECT_URI)

    url = urlsplit(await github_client.authorization_url(request))

    assert url.path == "/login/oauth/authorize"
    assert parse_qs(url.query) == {
        "client_id": [CLIENT_ID],
        "redirect_uri": [REDIRECT_URI],
        "scope": ["read:user user:email"],
        "state": ["s"],
        "code_challenge": ["c" * 43],
        "code_challenge_method": ["S256"],
    }


async def test_github_dot_com_is_the_default() -> None:
    provider = GitHubProvider("github", "GitHub", "id", "secret")
    request = AuthorizationRequest(state="s", nonce="n", code_challenge="c" * 43, redirect_uri=REDIRECT_URI)

    assert (await provider.authorization_url(request)).startswith("https://github.com/login/oauth/authorize?")


async def test_without_a_verified_primary_email_there_is_no_email(
    github_client: GitHubProvider, github: GitHubFake
) -> None:
    github.emails = [
        {"email": "ada@example.org", "primary": True, "verified": False},
        {"email": "ada@elsewhere.example", "primary": False, "verified": True},
    ]

    identity = await sign_in(github_client)

    assert (identity.subject, identity.email, identity.email_verified) == ("4242", None, False)


async def test_a_refused_email_list_leaves_the_identity_without_email(
    github_client: GitHubProvider, github: GitHubFake
) -> None:
    github.server.fail("/api/v3/user/emails", 404)

    identity = await sign_in(github_client)

    assert (identity.subject, identity.email, identity.email_verified) == ("4242", None, False)


async def test_the_login_names_a_user_without_a_profile_name(github_client: GitHubProvider, github: GitHubFake) -> None:
    github.user.name = None

    assert (await sign_in(github_client)).name == "ada"


async def test_a_code_redeemed_with_another_verifier_is_refused(github_client: GitHubProvider) -> None:
    code = await authorized_code(github_client, secrets.token_urlsafe(48))

    with pytest.raises(IdentityProviderRefusedError) as refused:
        await github_client.redeem(
            CodeRedemption(code=code, code_verifier=secrets.token_urlsafe(48), nonce="n", redirect_uri=REDIRECT_URI)
        )

    assert refused.value.reason == "code_refused"


async def test_a_bad_or_replayed_code_is_refused(github_client: GitHubProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    code = await authorized_code(github_client, verifier)
    redemption = CodeRedemption(code=code, code_verifier=verifier, nonce="n", redirect_uri=REDIRECT_URI)
    await github_client.redeem(redemption)

    for replayed in (
        redemption,
        CodeRedemption(code="bogus", code_verifier=verifier, nonce="n", redirect_uri=REDIRECT_URI),
    ):
        with pytest.raises(IdentityProviderRefusedError) as refused:
            await github_client.redeem(replayed)
        assert refused.value.reason == "code_refused"


async def test_wrong_client_credentials_are_a_fault_of_configuration(github: GitHubFake) -> None:
    misconfigured = GitHubProvider("github", "GitHub", CLIENT_ID, "not-the-secret", base_url=github.url)

    with pytest.raises(DependencyUnavailableError):
        await flows.sign_in(misconfigured, redirect_uri=REDIRECT_URI)

    await misconfigured.stop()


async def test_github_down_is_unavailable(github_client: GitHubProvider, github: GitHubFake) -> None:
    verifier = secrets.token_urlsafe(48)
    code = await authorized_code(github_client, verifier)
    github.server.down()

    with pytest.raises(DependencyUnavailableError):
        await github_client.redeem(
            CodeRedemption(code=code, code_verifier=verifier, nonce="n", redirect_uri=REDIRECT_URI)
        )


@pytest.mark.parametrize("path", ["/login/oauth/access_token", "/api/v3/user", "/api/v3/user/emails"])
async def test_a_failing_github_endpoint_is_unavailable(
    github_client: GitHubProvider, github: GitHubFake, path: str
) -> None:
    github.server.fail(path, 502)

    with pytest.raises(DependencyUnavailableError):
        await sign_in(github_client)


async def test_a_slow_github_is_given_up_on_within_the_timeout(github: GitHubFake) -> None:
    provider = flows.github_adapter(github, timeout_seconds=0.3)
    verifier = secrets.token_urlsafe(48)
    code = await authorized_code(provider, verifier)
    github.server.delay = 1.5
    started = time.monotonic()

    with pytest.raises(DependencyUnavailableError):
        await provider.redeem(CodeRedemption(code=code, code_verifier=verifier, nonce="n", redirect_uri=REDIRECT_URI))

    assert time.monotonic() - started < 1.0
    await provider.stop()
