"""BeginSocialLogin: send a browser to a provider to sign in (or up) with it."""

from __future__ import annotations

from dataclasses import dataclass

from application.oauth.social_flows import SocialFlows
from domain.identities import FlowPurpose
from domain.opaque_tokens import is_plausible_token
from domain.ports.secret_generator import SecretGenerator

# A browser binding is a token of ours: 43 URL-safe characters at least.
MIN_BINDING_LENGTH = 43


@dataclass(frozen=True, slots=True, kw_only=True)
class BeginSocialLogin:
    provider: str
    redirect_uri: str
    # The browser's binding value (a cookie) if it has one from an earlier sign-in.
    browser_binding: str | None = None


@dataclass(frozen=True, slots=True)
class SocialLoginStart:
    """Where to send the browser, and the binding value the browser must keep (in a cookie) and
    show again at the callback."""

    authorize_url: str
    browser_binding: str


class BeginSocialLoginHandler:
    """Start a sign-in with a provider.

    - Unknown provider: 404; a `redirect_uri` outside the allow-list: 400; the provider's discovery
      document unreachable: 503 (nothing stored).
    - The flow is bound to the browser: the binding value the browser already has is kept (so sign-ins
      in several tabs do not undo each other), else a new one (256 random bits) is made; the flow stores
      only its hash. A callback that comes back without it (another browser) is refused.
    """

    def __init__(self, flows: SocialFlows, secrets: SecretGenerator) -> None:
        self._flows, self._secrets = flows, secrets

    async def handle(self, command: BeginSocialLogin) -> SocialLoginStart:
        binding = command.browser_binding
        if binding is None or len(binding) < MIN_BINDING_LENGTH or not is_plausible_token(binding):
            binding = self._secrets.token()
        url = await self._flows.open(
            command.provider,
            purpose=FlowPurpose.LOGIN,
            redirect_uri=command.redirect_uri,
            browser_binding=binding,
            user_id=None,
        )
        return SocialLoginStart(authorize_url=url, browser_binding=binding)
