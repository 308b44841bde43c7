"""RevokeUserSessions: an administrator ends every session of an account."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import UnitOfWork
from domain.accounts import Permission
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import UserNotFoundError
from domain.events import SessionsRevoked, UserRevoked
from domain.ids import UserId, is_plausible_id
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeUserSessions:
    actor_id: UserId | None
    user_id: str
    context: RequestContext = NO_CONTEXT


class RevokeUserSessionsHandler:
    """Revoke every session of an account; all its access tokens die at once.

    - Needs the `users:manage` permission.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: RevokeUserSessions) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            await require(uow, command.actor_id, Permission.USERS_MANAGE)
            user = await uow.users.get(UserId(command.user_id)) if is_plausible_id(command.user_id) else None
            if user is None:
                raise UserNotFoundError
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
            uow.record(
                SessionsRevoked(session_ids=tuple(revoked), occurred_at=now),
                UserRevoked(user_id=user.id, occurred_at=now),
            )
            await uow.commit()
