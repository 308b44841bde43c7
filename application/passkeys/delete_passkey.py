"""DeletePasskey: remove one of the caller's passkeys, confirmed with the password."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.password_confirmation import PasswordConfirmation
from application.mfa.mfa_flag import refresh_mfa_flag
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import PasskeyNotFoundError, TokenInvalidError
from domain.ids import UserId, is_plausible_id
from domain.passkeys import PasskeyId
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class DeletePasskey:
    user_id: UserId
    passkey_id: str
    password: str
    context: RequestContext = NO_CONTEXT


class DeletePasskeyHandler:
    """Remove one of the caller's passkeys.

    - The password is checked against the account's lockout, failures audited (400 when wrong).
    - Another account's passkey, or an id that names none, is 404 alike (after the password check,
      so the answer tells nothing to a caller without the password).
    - When it was the account's last second factor (no passkey left, TOTP off), logins no longer take
      a second step. Audited as `passkey.deleted`.
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, confirmation: PasswordConfirmation, clock: Clock
    ) -> None:
        self._uow, self._reader, self._confirmation, self._clock = uow, reader, confirmation, clock

    async def handle(self, command: DeletePasskey) -> None:
        await self._confirmation.confirmed_account(
            self._uow, self._reader, command.user_id, command.password, purpose="passkey_delete",
            context=command.context,
        )  # fmt: skip
        if not is_plausible_id(command.passkey_id):
            raise PasskeyNotFoundError
        now = self._clock.now()
        async with self._uow as uow:
            if not await uow.passkeys.delete(PasskeyId(command.passkey_id), command.user_id):
                raise PasskeyNotFoundError
            user = await uow.users.get(command.user_id)
            if user is None:
                raise TokenInvalidError
            await refresh_mfa_flag(uow, user, now)
            await uow.users.update(user)
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.PASSKEY_DELETED,
                    user_id=user.id,
                    context=command.context,
                    now=now,
                    data={"passkey_id": command.passkey_id, "mfa_enabled": user.mfa_enabled},
                )
            )
            await uow.commit()
