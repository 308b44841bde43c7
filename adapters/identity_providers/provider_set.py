"""IdentityProviderSet: the configured providers, built from their settings, started and stopped
together (each holds its own connection pool)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.identity_providers.github import GITHUB_URL, GitHubProvider
from adapters.identity_providers.oidc import OidcClientRegistration, OidcProvider
from adapters.lifecycle import LifecycleGroup
from domain.ports.clock import Clock

GITHUB = "github"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderClient:
    """One configured provider: its name, what a button shows, Bastion's client there, and its
    issuer (for `github`, a GitHub Enterprise Server URL, or None for github.com)."""

    name: str
    display_name: str
    client_id: str
    client_secret: str
    issuer: str | None


class IdentityProviderSet(LifecycleGroup):
    """The providers in their configured order: `github` is GitHub's OAuth 2.0 flow, any other an
    OpenID Connect provider of its issuer."""

    def __init__(self, clients: Sequence[ProviderClient], clock: Clock, timeout_seconds: float) -> None:
        self.providers: tuple[OidcProvider | GitHubProvider, ...] = tuple(
            _provider(client, clock, timeout_seconds) for client in clients
        )
        super().__init__(self.providers)


def _provider(client: ProviderClient, clock: Clock, timeout_seconds: float) -> OidcProvider | GitHubProvider:
    if client.name == GITHUB:
        return GitHubProvider(
            client.name,
            client.display_name,
            client.client_id,
            client.client_secret,
            base_url=client.issuer or GITHUB_URL,
            timeout_seconds=timeout_seconds,
        )
    if client.issuer is None:
        raise ValueError(f"the OpenID Connect provider {client.name} needs its issuer")
    registration = OidcClientRegistration(
        issuer=client.issuer, client_id=client.client_id, client_secret=client.client_secret
    )
    return OidcProvider(client.name, client.display_name, registration, clock, timeout_seconds=timeout_seconds)
