"""UnlockUser: an administrator lifts a lockout."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import UnitOfWork
from domain.accounts import Permission
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import UserNotFoundError
from domain.events import LoginAttemptsCleared
from domain.ids import UserId, is_plausible_id
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UnlockUser:
    actor_id: UserId | None
    user_id: str
    context: RequestContext = NO_CONTEXT


class UnlockUserHandler:
    """Clear the failed-login count and lock of an account (for its email and its username).

    - Needs the `users:manage` permission.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: UnlockUser) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            await require(uow, command.actor_id, Permission.USERS_MANAGE)
            user = await uow.users.get(UserId(command.user_id)) if is_plausible_id(command.user_id) else None
            if user is None:
                raise UserNotFoundError
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
