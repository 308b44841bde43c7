"""SocialFlows: the start of a browser round trip to a provider, shared by sign-in and linking."""

from __future__ import annotations

from application.oauth.provider_directory import ProviderDirectory
from application.unit_of_work import UnitOfWork
from domain.identities import FlowPurpose, OAuthFlow, pkce_challenge
from domain.ids import UserId
from domain.opaque_tokens import hash_token
from domain.ports.clock import Clock
from domain.ports.identity_providers import AuthorizationRequest
from domain.ports.secret_generator import SecretGenerator


class SocialFlows:
    """Opens flows: a fresh `state`, `nonce` and PKCE verifier (256 random bits each), the flow stored
    server-side under the state's hash, single use, for 10 minutes; the provider's URL to send the
    browser to. Nothing is stored when the provider cannot build its URL (its discovery document
    does not answer: 503)."""

    def __init__(self, uow: UnitOfWork, directory: ProviderDirectory, secrets: SecretGenerator, clock: Clock) -> None:
        self._uow, self.directory, self._secrets, self._clock = uow, directory, secrets, clock

    async def open(
        self,
        provider_name: str,
        *,
        purpose: FlowPurpose,
        redirect_uri: str,
        browser_binding: str | None,
        user_id: UserId | None,
    ) -> str:
        """The provider's authorization URL of a new flow.

        Raises:
            UnknownProviderError: no such provider (404).
            RedirectNotAllowedError: `redirect_uri` is not allowed (400).
            DependencyUnavailableError: the provider cannot be reached (503).
        """
        provider = self.directory.get(provider_name)
        self.directory.check_redirect(redirect_uri)
        state, nonce, verifier = self._secrets.token(), self._secrets.token(), self._secrets.token()
        url = await provider.authorization_url(
            AuthorizationRequest(
                state=state,
                nonce=nonce,
                code_challenge=pkce_challenge(verifier),
                redirect_uri=self.directory.callback_url(provider.name),
            )
        )
        flow = OAuthFlow.open(
            state_hash=hash_token(state),
            provider=provider.name,
            purpose=purpose,
            redirect_uri=redirect_uri,
            nonce=nonce,
            code_verifier=verifier,
            browser_hash=hash_token(browser_binding) if browser_binding is not None else None,
            user_id=user_id,
            now=self._clock.now(),
        )
        async with self._uow as uow:
            await uow.oauth_flows.save(flow)
            await uow.commit()
        return url
