"""Authorisation in the use cases: who may do what is decided here, from the stored account.

One rule for every protected use case: an account that no longer exists or is deactivated is no
longer anyone (401, as if its token had already been revoked, which deactivation also does); an
active account without the permission is refused (403).
"""

from __future__ import annotations

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import Permission, User
from domain.errors import PermissionDeniedError, TokenInvalidError
from domain.ids import UserId
from domain.service_accounts import ServiceAccountId


async def acting_account(uow: UnitOfWork | ReadOnlyUnitOfWork, actor_id: UserId, permission: Permission) -> User:
    """The acting account, read in the caller's block (never from the token, so a demoted or
    deactivated account loses power at once; in a transaction the check agrees with the change
    that follows).

    Raises:
        TokenInvalidError: the account no longer exists or is deactivated.
        PermissionDeniedError: it is active but its roles lack `permission`.
    """
    actor = await uow.users.get(actor_id)
    if actor is None or not actor.is_active:
        raise TokenInvalidError
    if not actor.can(permission):
        raise PermissionDeniedError
    return actor


async def require(uow: UnitOfWork | ReadOnlyUnitOfWork, actor_id: UserId | None, permission: Permission) -> User | None:
    """`acting_account`, where `actor_id` None is an operator at the command line, who may do
    everything and has no account.

    Raises:
        TokenInvalidError: the acting account no longer exists or is deactivated.
        PermissionDeniedError: it is active but lacks the permission.
    """
    if actor_id is None:
        return None
    return await acting_account(uow, actor_id, permission)


async def task_owner(uow: UnitOfWork | ReadOnlyUnitOfWork, actor_id: UserId) -> UserId:
    """Whose tasks the caller works on: its own. The caller is an account allowed to own tasks
    (`acting_account`), or a service account not deleted, which owns tasks of its own (whether its
    token's scopes allow the use case was decided when it was authenticated).

    Raises:
        TokenInvalidError: neither an active account nor a service account any more.
        PermissionDeniedError: an active account whose roles do not allow owning tasks.
    """
    actor = await uow.users.get(actor_id)
    if actor is None and await uow.service_accounts.get(ServiceAccountId(actor_id)) is not None:
        return actor_id
    if actor is None or not actor.is_active:
        raise TokenInvalidError
    if not actor.can(Permission.TASKS_OWN):
        raise PermissionDeniedError
    return actor.id
