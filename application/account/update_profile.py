"""UpdateProfile: the caller changes their display name or username."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.account_values import Username, parse_full_name
from domain.accounts import User
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import TokenInvalidError, UsernameTakenError
from domain.ids import UserId
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateProfile:
    user_id: UserId
    username: str | None = None
    full_name: str | None = None
    change_full_name: bool = False
    context: RequestContext = NO_CONTEXT


class UpdateProfileHandler:
    """Change the caller's username and/or full name (an empty or null full name clears it).

    - A username taken by another account (ignoring case) is a conflict.
    - Nothing else about the account can be changed here.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: UpdateProfile) -> User:
        username = Username.parse(command.username) if command.username is not None else None
        full_name = parse_full_name(command.full_name) if command.change_full_name else None
        async with self._uow as uow:
            user = await uow.users.get(command.user_id)
            if user is None or not user.is_active:
                raise TokenInvalidError
            if username is not None and username.normalized != user.username.normalized:
                other = await uow.users.by_username(username)
                if other is not None:
                    raise UsernameTakenError
            now = self._clock.now()
            user.update_profile(
                username=username, full_name=full_name, change_full_name=command.change_full_name, now=now
            )
            await uow.users.update(user)
            changed = [
                name for name, given in (("username", username), ("full_name", command.change_full_name)) if given
            ]
            event = AuditEvent.record(
                AuditEventType.USER_UPDATED,
                user_id=user.id,
                context=command.context,
                now=now,
                data={"fields": ",".join(changed)},
            )
            await uow.audit.add(event)
            await uow.commit()
        return user
