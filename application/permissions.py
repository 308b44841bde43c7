"""Authorisation in the use cases: who may do what is decided here, from the stored account."""

from __future__ import annotations

from application.unit_of_work import UnitOfWork
from domain.errors import PermissionDeniedError, TokenInvalidError
from domain.model import Permission, User, UserId


async def require(uow: UnitOfWork, actor_id: UserId | None, permission: Permission) -> User | None:
    """The acting account if it holds `permission`, read from the store (never from the token, so a
    demoted or deactivated administrator loses power at once). `actor_id` None is an operator at the
    command line, who may do everything and has no account.

    Raises:
        TokenInvalidError: the acting account no longer exists.
        PermissionDeniedError: it lacks the permission (or is deactivated).
    """
    if actor_id is None:
        return None
    actor = await uow.users.get(actor_id)
    if actor is None:
        raise TokenInvalidError
    if not actor.can(permission):
        raise PermissionDeniedError
    return actor
