"""HandleOAuthCallback: the provider sends the browser back; verify, then sign in, sign up or link."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from application.oauth.identity_outcomes import CallbackRefusedError, IdentityOutcomes
from application.oauth.provider_directory import ProviderDirectory
from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import IdentityProviderRefusedError, OAuthStateInvalidError
from domain.identities import FlowPurpose, OAuthFlow
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.clock import Clock
from domain.ports.identity_providers import CodeRedemption, ProviderIdentity

# What a provider's `error` may say that is worth passing on; anything else is `provider_error`.
_PROVIDER_ERRORS = frozenset({"access_denied", "temporarily_unavailable", "login_required", "consent_required"})
# The longest `code` a provider is believed to send.
CODE_MAX_LENGTH = 1024
# Refusals whose detail stays in the audit: the client learns only that the answer did not verify.
_PUBLIC_ERROR = {"state_used": "invalid_state", "state_expired": "invalid_state", "browser_mismatch": "invalid_state"}


@dataclass(frozen=True, slots=True, kw_only=True)
class HandleOAuthCallback:
    provider: str
    state: str | None
    code: str | None
    error: str | None = None
    # The browser binding value the callback request came with (a cookie), if any.
    browser_binding: str | None = None
    context: RequestContext = NO_CONTEXT


@dataclass(frozen=True, slots=True)
class CallbackRedirect:
    """Where to send the browser: the client's `redirect_uri`, with these fields in its fragment
    (`code`, `linked` or `error`)."""

    redirect_uri: str
    fragment: tuple[tuple[str, str], ...]


class HandleOAuthCallbackHandler:
    """Complete a flow.

    - `state` must name a flow: otherwise there is no client to send the browser back to (400).
      The flow is used up by this call, whatever follows: a replayed callback, an expired flow, a
      callback of another provider or of another browser than the one that started the sign-in
      ends in `#error=invalid_state`.
    - The provider's own error (the user declined) ends in `#error=access_denied` (or
      `provider_error`); a missing code in `#error=invalid_request`.
    - The code is redeemed with the flow's PKCE verifier and the ID token checked against the
      flow's nonce (by the provider's adapter); a refusal ends in `#error=invalid_response` with the
      reason in the audit (`oauth.refused`), and changes no account. A provider that does not answer
      is 503 (nothing created either).
    - Then `IdentityOutcomes` signs in, signs up or links (see there) and says where to go.
    """

    def __init__(self, uow: UnitOfWork, directory: ProviderDirectory, outcomes: IdentityOutcomes, clock: Clock) -> None:
        self._uow, self._directory, self._outcomes, self._clock = uow, directory, outcomes, clock

    async def handle(self, command: HandleOAuthCallback) -> CallbackRedirect:
        self._directory.get(command.provider)  # an unknown provider is 404 before anything else
        if command.state is None or not is_plausible_token(command.state):
            raise OAuthStateInvalidError
        async with self._uow as uow:
            flow = await uow.oauth_flows.take(hash_token(command.state), self._clock.now())
            await uow.commit()
        if flow is None:
            raise OAuthStateInvalidError
        try:
            identity = await self._verified(flow, command)
            fragment = await self._outcomes.settle(flow, identity, command.context)
        except CallbackRefusedError as refusal:
            await self._audit_refusal(flow, refusal.detail or refusal.reason, command.context)
            fragment = (("error", _PUBLIC_ERROR.get(refusal.reason, refusal.reason)),)
        return CallbackRedirect(redirect_uri=flow.redirect_uri, fragment=fragment)

    async def _verified(self, flow: OAuthFlow, command: HandleOAuthCallback) -> ProviderIdentity:
        now = self._clock.now()
        if flow.used_at is not None:
            raise CallbackRefusedError("state_used")
        if not flow.is_fresh(now):
            raise CallbackRefusedError("state_expired")
        if flow.provider != command.provider or not _same_browser(flow, command.browser_binding):
            raise CallbackRefusedError("browser_mismatch")
        if command.error is not None:
            raise CallbackRefusedError(command.error if command.error in _PROVIDER_ERRORS else "provider_error")
        if not command.code or len(command.code) > CODE_MAX_LENGTH:
            raise CallbackRefusedError("invalid_request")
        redemption = CodeRedemption(
            code=command.code,
            code_verifier=flow.code_verifier,
            nonce=flow.nonce,
            redirect_uri=self._directory.callback_url(flow.provider),
        )
        try:
            return await self._directory.get(flow.provider).redeem(redemption)
        except IdentityProviderRefusedError as error:
            raise CallbackRefusedError("invalid_response", detail=error.reason) from None

    async def _audit_refusal(self, flow: OAuthFlow, reason: str, context: RequestContext) -> None:
        event = AuditEvent.record(
            AuditEventType.OAUTH_REFUSED,
            user_id=flow.user_id,
            context=context,
            now=self._clock.now(),
            data={"provider": flow.provider, "purpose": flow.purpose.value, "reason": reason},
        )
        async with self._uow as uow:
            await uow.audit.add(event)
            await uow.commit()


def _same_browser(flow: OAuthFlow, binding: str | None) -> bool:
    """A sign-in must come back to the browser that started it; a link is bound to its account."""
    if flow.purpose is FlowPurpose.LINK:
        return True
    if flow.browser_hash is None or binding is None or not is_plausible_token(binding):
        return False
    return hmac.compare_digest(flow.browser_hash, hash_token(binding))
