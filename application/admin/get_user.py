"""GetUser: an administrator looks at one account."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import ReadOnlyUnitOfWork
from domain.account_values import Email
from domain.accounts import Permission, User
from domain.errors import UserNotFoundError, ValidationFailedError
from domain.ids import UserId, is_plausible_id
from domain.ports.repositories import UserReader


@dataclass(frozen=True, slots=True, kw_only=True)
class GetUser:
    actor_id: UserId | None
    user_id: str | None = None
    email: str | None = None


class GetUserHandler:
    """One account, by id or by email.

    - Needs the `users:read` permission (the admin role).
    """

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, command: GetUser) -> User:
        async with self._reader as view:
            await require(view, command.actor_id, Permission.USERS_READ)
            user = await _lookup(view.users, command)
        if user is None:
            raise UserNotFoundError
        return user


async def _lookup(users: UserReader, command: GetUser) -> User | None:
    if command.user_id is not None:
        return await users.get(UserId(command.user_id)) if is_plausible_id(command.user_id) else None
    try:
        return await users.by_email(Email.parse(command.email or ""))
    except ValidationFailedError:
        return None
