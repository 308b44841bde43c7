"""ListProviders: the identity providers a client may offer as sign-in buttons."""

from __future__ import annotations

from application.oauth.provider_directory import ProviderDirectory


class ListProvidersHandler:
    """The configured social login providers, in their configured order: name and display name."""

    def __init__(self, directory: ProviderDirectory) -> None:
        self._directory = directory

    async def handle(self) -> list[tuple[str, str]]:
        return self._directory.listing()
