"""ListSessions: the caller's active sessions."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import ReadOnlyUnitOfWork
from domain.ids import SessionId, UserId
from domain.ports.clock import Clock
from domain.sessions import Session


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSessions:
    user_id: UserId
    current_session_id: SessionId


@dataclass(frozen=True, slots=True)
class SessionView:
    session: Session
    current: bool


class ListSessionsHandler:
    """List the user's sessions that are neither revoked nor expired, newest first, marking the calling one."""

    def __init__(self, reader: ReadOnlyUnitOfWork, clock: Clock) -> None:
        self._reader, self._clock = reader, clock

    async def handle(self, command: ListSessions) -> list[SessionView]:
        async with self._reader as view:
            sessions = await view.sessions.active_for_user(command.user_id, self._clock.now())
        return [SessionView(session, session.id == command.current_session_id) for session in sessions]
