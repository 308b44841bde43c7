"""LogOutEverywhere: end every session of the caller."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.events import all_access_revoked
from domain.ids import SessionId, UserId
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class LogOutEverywhere:
    user_id: UserId
    context: RequestContext = NO_CONTEXT


class LogOutEverywhereHandler:
    """Revoke every session of the user, the calling one included; all their tokens stop working at once.

    - Every access token of the user issued before this moment is revoked too, so that a token of
      a session that was being created concurrently cannot survive.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: LogOutEverywhere) -> list[SessionId]:
        now = self._clock.now()
        async with self._uow as uow:
            revoked = await uow.sessions.revoke_all_for_user(command.user_id, now)
            event = AuditEvent.record(
                AuditEventType.LOGOUT,
                user_id=command.user_id,
                context=command.context,
                now=now,
                data={"all_sessions": True, "sessions": len(revoked)},
            )
            await uow.audit.add(event)
            uow.record(*all_access_revoked(command.user_id, revoked, now))
            await uow.commit()
        return revoked
