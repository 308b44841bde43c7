"""BeginIdentityLink: send the logged-in account's browser to a provider to link an identity there."""

from __future__ import annotations

from dataclasses import dataclass

from application.oauth.social_flows import SocialFlows
from application.unit_of_work import ReadOnlyUnitOfWork
from domain.errors import TokenInvalidError
from domain.identities import FlowPurpose
from domain.ids import UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class BeginIdentityLink:
    user_id: UserId
    provider: str
    redirect_uri: str


class BeginIdentityLinkHandler:
    """The provider URL of a flow that links the identity the browser signs in with there to the
    caller's account. The flow is bound to the account (not to a browser cookie: the URL is handed to
    a client that may open it anywhere); its callback links the identity unless another account has
    it. Unknown provider 404, `redirect_uri` outside the allow-list 400, provider unreachable 503."""

    def __init__(self, reader: ReadOnlyUnitOfWork, flows: SocialFlows) -> None:
        self._reader, self._flows = reader, flows

    async def handle(self, command: BeginIdentityLink) -> str:
        async with self._reader as view:
            user = await view.users.get(command.user_id)
        if user is None or not user.is_active:
            raise TokenInvalidError
        return await self._flows.open(
            command.provider,
            purpose=FlowPurpose.LINK,
            redirect_uri=command.redirect_uri,
            browser_binding=None,
            user_id=user.id,
        )
