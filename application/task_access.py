"""The check every task use case starts with: the caller is an active account that may own tasks."""

from __future__ import annotations

from application.unit_of_work import UnitOfWork
from domain.errors import PermissionDeniedError, TokenInvalidError
from domain.model import Permission, User, UserId


async def task_owner(uow: UnitOfWork, user_id: UserId) -> User:
    """The acting account, loaded in the caller's transaction so that the check and the change agree.

    Raises:
        TokenInvalidError: the account no longer exists or was deactivated.
        PermissionDeniedError: the account's roles do not include owning tasks.
    """
    user = await uow.users.get(user_id)
    if user is None or not user.is_active:
        raise TokenInvalidError
    if not user.can(Permission.TASKS_OWN):
        raise PermissionDeniedError
    return user
