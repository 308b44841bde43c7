"""The browser's part of a social login, for tests of an `IdentityProvider` against a local provider:
ask for the authorization URL, follow it to the callback, and redeem the code it carries.

- `authorized_code(provider, verifier, redirect_uri=..., nonce=...)`: the code the provider's
  authorization endpoint sends back (the `state` is checked on the way).
- `sign_in(provider, redirect_uri=..., nonce=...)`: a whole flow with a fresh PKCE verifier.
- `oidc_adapter(idp, clock)` and `github_adapter(fake)`: Bastion's adapters configured for the local
  provider (`tests/oidc_provider.py`) and the GitHub fake (`tests/github_fake.py`).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

from adapters.identity_providers.github import GitHubProvider
from adapters.identity_providers.oidc import OidcClientRegistration, OidcProvider
from adapters.memory.clock import FrozenClock
from domain.ports.identity_providers import AuthorizationRequest, CodeRedemption, IdentityProvider, ProviderIdentity
from tests import github_fake, oidc_provider_records
from tests.github_fake import GitHubFake
from tests.local_wsgi_server import follow_authorization
from tests.oidc_provider import LocalOidcProvider

NONCE = "nonce-of-this-flow"


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of `verifier` (RFC 7636 section 4.2)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def oidc_adapter(idp: LocalOidcProvider, clock: FrozenClock, timeout_seconds: float = 3.0) -> OidcProvider:
    registration = OidcClientRegistration(
        issuer=idp.issuer, client_id=oidc_provider_records.CLIENT_ID, client_secret=oidc_provider_records.CLIENT_SECRET
    )
    return OidcProvider("local", "Local IdP", registration, clock, timeout_seconds=timeout_seconds)


def github_adapter(fake: GitHubFake, timeout_seconds: float = 3.0) -> GitHubProvider:
    return GitHubProvider(
        "github",
        "GitHub",
        github_fake.CLIENT_ID,
        github_fake.CLIENT_SECRET,
        base_url=fake.url,
        timeout_seconds=timeout_seconds,
    )


async def authorized_code(provider: IdentityProvider, verifier: str, *, redirect_uri: str, nonce: str = NONCE) -> str:
    state = secrets.token_urlsafe(16)
    request = AuthorizationRequest(state=state, nonce=nonce, code_challenge=s256(verifier), redirect_uri=redirect_uri)
    callback = urlsplit(await follow_authorization(await provider.authorization_url(request)))
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == redirect_uri
    query = parse_qs(callback.query)
    assert query["state"] == [state], query
    return query["code"][0]


async def sign_in(provider: IdentityProvider, *, redirect_uri: str, nonce: str = NONCE) -> ProviderIdentity:
    verifier = secrets.token_urlsafe(48)
    code = await authorized_code(provider, verifier, redirect_uri=redirect_uri, nonce=nonce)
    return await provider.redeem(
        CodeRedemption(code=code, code_verifier=verifier, nonce=nonce, redirect_uri=redirect_uri)
    )
