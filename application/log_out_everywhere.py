"""LogOutEverywhere: end every session of the caller."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.model import SessionId, UserId
from domain.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class LogOutEverywhere:
    user_id: UserId


class LogOutEverywhereHandler:
    """Revoke every session of the user, the calling one included; all their tokens stop working."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: LogOutEverywhere) -> list[SessionId]:
        async with self._uow as uow:
            revoked = await uow.sessions.revoke_all_for_user(command.user_id, self._clock.now())
            await uow.commit()
        return revoked
