"""The port of the social login providers: an OpenID Connect provider or an OAuth 2.0 provider
(GitHub) that tells, at the end of an authorization code flow, who the browser's user is there.

Bastion holds the flow's secrets (state, nonce, PKCE verifier) and passes them in; an adapter
builds the provider's authorization URL and, with the code the provider sent back, redeems it and
checks what it gets (for OpenID Connect: the ID token's signature, issuer, audience, lifetime and
nonce) before it answers with a `ProviderIdentity`.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorizationRequest:
    """What the provider's authorization URL carries besides the client id."""

    # Opaque, random, single use: the provider sends it back to the callback unchanged.
    state: str
    # OpenID Connect's `nonce`: the ID token must carry it (ignored by providers without ID tokens).
    nonce: str
    # PKCE (RFC 7636): BASE64URL(SHA-256(verifier)), method S256.
    code_challenge: str
    # Bastion's own callback URL for this provider (registered with the provider).
    redirect_uri: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeRedemption:
    """What redeeming the code the provider sent to the callback takes."""

    code: str
    code_verifier: str
    nonce: str
    redirect_uri: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderIdentity:
    """Who the provider says the user is. (`issuer`, `subject`) names the identity for good; the
    email may change at the provider, and counts only when the provider says it is verified."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None = None


class IdentityProvider(Protocol):
    """One configured provider. `name` is its configured name (`google`, `github`, ...),
    `display_name` what a sign-in button shows."""

    name: str
    display_name: str

    @abstractmethod
    async def authorization_url(self, request: AuthorizationRequest) -> str:
        """The provider URL to send the browser to.

        Raises:
            DependencyUnavailableError: what the URL needs (the discovery document) could not be read.
        """

    @abstractmethod
    async def redeem(self, redemption: CodeRedemption) -> ProviderIdentity:
        """Redeem the code and return the verified identity.

        Raises:
            DependencyUnavailableError: the provider did not answer in time, or answered 5xx or garbage
                to a request that should work (`application.errors`; the edge answers 503).
            IdentityProviderRefusedError: the provider refused the code (expired, replayed, another
                verifier), or what it returned does not verify (ID token signature, `alg`, `iss`, `aud`,
                `exp`, `iat`, `nonce`; no subject); `reason` says which, for the audit and the redirect.
        """
