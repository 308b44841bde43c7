"""UnlockUser: an administrator lifts a lockout."""

from __future__ import annotations

from dataclasses import dataclass

from application.admin.user_action import UserAction, target_of
from application.unit_of_work import UnitOfWork
from domain.audit import AuditEvent, AuditEventType
from domain.events import LoginAttemptsCleared
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UnlockUser(UserAction):
    """Lift the lockout of the account `user_id`."""


class UnlockUserHandler:
    """Clear the failed-login count and lock of an account (for its email and its username).

    - Needs the `users:manage` permission.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: UnlockUser) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            user = await target_of(uow, command)
            user.unlock(now)
            await uow.users.update(user)
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.USER_UNLOCKED,
                    user_id=user.id,
                    context=command.context,
                    now=now,
                    data={"actor_id": command.actor_id},
                )
            )
            uow.record(LoginAttemptsCleared(identifiers=user.login_identifiers, occurred_at=now))
            await uow.commit()
