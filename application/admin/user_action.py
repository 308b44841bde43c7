"""What every administrator's action on one account starts with: the command's common fields, the
`users:manage` check and the target account."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import UnitOfWork
from domain.accounts import Permission, User
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import UserNotFoundError
from domain.ids import UserId, is_plausible_id


@dataclass(frozen=True, slots=True, kw_only=True)
class UserAction:
    """An administrator (`actor_id`, None for an operator at the command line) acting on the account
    `user_id` (as given: an implausible id is simply not found)."""

    actor_id: UserId | None
    user_id: str
    context: RequestContext = NO_CONTEXT


async def target_of(uow: UnitOfWork, action: UserAction) -> User:
    """The account the action is on, once the actor is known to hold `users:manage`.

    Raises:
        TokenInvalidError: the acting account no longer exists or is deactivated.
        PermissionDeniedError: it lacks `users:manage`.
        UserNotFoundError: no account has that id.
    """
    await require(uow, action.actor_id, Permission.USERS_MANAGE)
    user = await uow.users.get(UserId(action.user_id)) if is_plausible_id(action.user_id) else None
    if user is None:
        raise UserNotFoundError
    return user
