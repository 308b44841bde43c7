"""DeleteAccount: the caller deletes their own account."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.password_confirmation import PasswordConfirmation
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.events import all_access_revoked, api_keys_revoked
from domain.ids import UserId
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteAccount:
    user_id: UserId
    password: str
    context: RequestContext = NO_CONTEXT


class DeleteAccountHandler:
    """Delete the caller's account, confirmed with its password.

    - The password is checked against the account's lockout, failures audited.
    - The account's audit events stay, its deletion among them, but lose their personal data
      (client IP address and user agent): the trail still shows what happened to the account id.
    - The account goes with everything that belongs to it: sessions, refresh tokens, mailed
      tokens (and tasks). Every access token of the account dies at once.
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, confirmation: PasswordConfirmation, clock: Clock
    ) -> None:
        self._uow, self._reader, self._confirmation, self._clock = uow, reader, confirmation, clock

    async def handle(self, command: DeleteAccount) -> None:
        user = await self._confirmation.confirmed_account(
            self._uow,
            self._reader,
            command.user_id,
            command.password,
            purpose="delete_account",
            context=command.context,
        )
        now = self._clock.now()
        async with self._uow as uow:
            revoked = await uow.sessions.revoke_all_for_user(user.id, now)
            # The keys go with the account; their ids reach the other processes' caches as revocations.
            uow.record(api_keys_revoked(await uow.api_keys.revoke_all_for_user(user.id, now), now))
            await uow.users.delete(user.id)
            event = AuditEvent.record(
                AuditEventType.USER_DELETED, user_id=user.id, context=command.context, now=now, data={"by": "self"}
            )
            await uow.audit.add(event)
            # The security events stay (who did what, when); the client addresses and browsers go.
            await uow.audit.forget_personal_data(user.id)
            uow.record(*all_access_revoked(user.id, revoked, now))
            await uow.commit()
