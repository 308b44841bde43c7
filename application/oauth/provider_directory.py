"""ProviderDirectory: the configured identity providers, Bastion's callback URL for each, and the
client URLs a social login may send the browser back to."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import RedirectNotAllowedError, UnknownProviderError
from domain.identities import redirect_allowed
from domain.ports.identity_providers import IdentityProvider


class ProviderDirectory:
    """The providers by name, in their configured order.

    - `callback_base` is Bastion's public URL: a provider sends the browser back to
      `<callback_base>/auth/oauth/<name>/callback` (the URL registered with the provider).
    - A client may only be sent back to a URL of `redirect_allowlist`, matched exactly.
    """

    def __init__(
        self, providers: Sequence[IdentityProvider], callback_base: str, redirect_allowlist: Sequence[str]
    ) -> None:
        self._providers = {provider.name: provider for provider in providers}
        self._callback_base = callback_base.rstrip("/")
        self._allowlist = tuple(redirect_allowlist)

    def listing(self) -> list[tuple[str, str]]:
        """(name, display name) of each configured provider."""
        return [(provider.name, provider.display_name) for provider in self._providers.values()]

    def get(self, name: str) -> IdentityProvider:
        """Raises:
        UnknownProviderError: no provider of this name is configured.
        """
        provider = self._providers.get(name)
        if provider is None:
            raise UnknownProviderError
        return provider

    def callback_url(self, name: str) -> str:
        return f"{self._callback_base}/auth/oauth/{name}/callback"

    def check_redirect(self, redirect_uri: str) -> None:
        """Raises:
        RedirectNotAllowedError: `redirect_uri` is not one of the allowed client URLs.
        """
        if not redirect_allowed(redirect_uri, self._allowlist):
            raise RedirectNotAllowedError
