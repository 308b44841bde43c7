"""RenamePasskey: give one of the caller's passkeys a new name."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import PasskeyNotFoundError
from domain.ids import UserId, is_plausible_id
from domain.passkeys import Passkey, PasskeyId, passkey_name
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class RenamePasskey:
    user_id: UserId
    passkey_id: str
    name: str
    context: RequestContext = NO_CONTEXT


class RenamePasskeyHandler:
    """Rename one of the caller's passkeys.

    - The name is trimmed (at most 64 characters, no control characters; `Passkey` when empty).
    - Another account's passkey, or an id that names none, is 404 alike.
    - Audited as `passkey.renamed`.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: RenamePasskey) -> Passkey:
        name = passkey_name(command.name)
        if not is_plausible_id(command.passkey_id):
            raise PasskeyNotFoundError
        async with self._uow as uow:
            renamed = await uow.passkeys.rename(PasskeyId(command.passkey_id), command.user_id, name)
            if renamed is None:
                raise PasskeyNotFoundError
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.PASSKEY_RENAMED,
                    user_id=command.user_id,
                    context=command.context,
                    now=self._clock.now(),
                    data={"passkey_id": renamed.id},
                )
            )
            await uow.commit()
        return renamed
