"""RevokeUserSessions: an administrator ends every session of an account."""

from __future__ import annotations

from dataclasses import dataclass

from application.admin.user_action import UserAction, target_of
from application.unit_of_work import UnitOfWork
from domain.audit import AuditEvent, AuditEventType
from domain.events import all_access_revoked
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeUserSessions(UserAction):
    """End every session of the account `user_id`."""


class RevokeUserSessionsHandler:
    """Revoke every session of an account; all its access tokens die at once.

    - Needs the `users:manage` permission.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: RevokeUserSessions) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            user = await target_of(uow, command)
            revoked = await uow.sessions.revoke_all_for_user(user.id, now)
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.SESSIONS_REVOKED,
                    user_id=user.id,
                    context=command.context,
                    now=now,
                    data={"actor_id": command.actor_id, "sessions_revoked": len(revoked)},
                )
            )
            uow.record(*all_access_revoked(user.id, revoked, now))
            await uow.commit()
