"""LogOut: end the session of a refresh token (and of the caller's access token)."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.events import SessionsRevoked
from domain.ids import SessionId
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class LogOut:
    refresh_token: str
    access_session_id: SessionId | None = None
    context: RequestContext = NO_CONTEXT


class LogOutHandler:
    """Revoke the session that a refresh token belongs to.

    - An unknown, used or already revoked token is not an error: logging out is idempotent and
      reveals nothing about the token.
    - When the caller also proved an access token, that token's session is revoked too, so the
      access token stops working at once.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: LogOut) -> None:
        now = self._clock.now()
        sessions: set[SessionId] = set()
        if command.access_session_id is not None:
            sessions.add(command.access_session_id)
        async with self._uow as uow:
            if is_plausible_token(command.refresh_token):
                record = await uow.refresh_tokens.get(hash_token(command.refresh_token))
                if record is not None:
                    sessions.add(record.session_id)
            for session_id in sorted(sessions):
                session = await uow.sessions.get(session_id)
                if session is not None and await uow.sessions.revoke(session_id, now):
                    event = AuditEvent.record(
                        AuditEventType.LOGOUT,
                        user_id=session.user_id,
                        context=command.context,
                        now=now,
                        data={"session_id": session_id},
                    )
                    await uow.audit.add(event)
            uow.record(SessionsRevoked(session_ids=tuple(sorted(sessions)), occurred_at=now))
            await uow.commit()
