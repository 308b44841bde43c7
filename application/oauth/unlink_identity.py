"""UnlinkIdentity: remove one of the provider identities linked to the caller's account."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import IdentityNotFoundError, LastLoginMethodError, TokenInvalidError
from domain.identities import IdentityId, login_methods_left
from domain.ids import UserId, is_plausible_id
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UnlinkIdentity:
    user_id: UserId
    identity_id: str
    context: RequestContext = NO_CONTEXT


class UnlinkIdentityHandler:
    """Unlink an identity from the caller's account.

    - Another account's identity, or an id that names none, is 404 alike.
    - 409 when it is the account's last way to log in: no password, no other identity, no passkey.
      The account is locked for the transaction, so two concurrent unlinks of its last two
      identities cannot both pass the rule.
    - Audited as `oauth.unlinked`. Sessions the identity started stay (ending them is the sessions
      page's job): unlinking stops future sign-ins with it.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: UnlinkIdentity) -> None:
        if not is_plausible_id(command.identity_id):
            raise IdentityNotFoundError
        identity_id = IdentityId(command.identity_id)
        async with self._uow as uow:
            user = await uow.users.locked(command.user_id)
            if user is None or not user.is_active:
                raise TokenInvalidError
            identity = next((one for one in await uow.identities.of_user(user.id) if one.id == identity_id), None)
            if identity is None or not await uow.identities.delete(identity_id, user.id):
                raise IdentityNotFoundError
            left = login_methods_left(
                has_password=user.has_password,
                identities=await uow.identities.count(user.id),
                passkeys=await uow.passkeys.count(user.id),
            )
            if left == 0:
                raise LastLoginMethodError
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.OAUTH_UNLINKED,
                    user_id=user.id,
                    context=command.context,
                    now=self._clock.now(),
                    data={"identity_id": identity.id, "provider": identity.provider},
                )
            )
            await uow.commit()
