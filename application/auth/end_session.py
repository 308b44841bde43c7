"""EndSession: revoke one of the caller's sessions."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import SessionNotFoundError
from domain.events import SessionsRevoked
from domain.ids import SessionId, UserId, is_plausible_id
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class EndSession:
    user_id: UserId
    session_id: str
    context: RequestContext = NO_CONTEXT


class EndSessionHandler:
    """Revoke one session of the caller.

    - A session of another user is reported exactly like one that does not exist.
    - An already revoked or expired session is not found either.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: EndSession) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            session_id = SessionId(command.session_id)
            session = await uow.sessions.get(session_id) if is_plausible_id(session_id) else None
            if session is None or session.user_id != command.user_id or not session.is_active(now):
                raise SessionNotFoundError
            await uow.sessions.revoke(session.id, now)
            event = AuditEvent.record(
                AuditEventType.LOGOUT,
                user_id=command.user_id,
                context=command.context,
                now=now,
                data={"session_id": session.id, "ended_from_session_list": True},
            )
            await uow.audit.add(event)
            uow.record(SessionsRevoked(session_ids=(session.id,), occurred_at=now))
            await uow.commit()
