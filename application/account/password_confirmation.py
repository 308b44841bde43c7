"""The check that guards sensitive changes to one's own account: the caller proves its current password."""

from __future__ import annotations

from application.unit_of_work import ReadOnlyUnitOfWork
from domain.accounts import User
from domain.errors import TokenInvalidError, WrongPasswordError
from domain.ids import UserId
from domain.passwords import PASSWORD_HARD_MAX_LENGTH
from domain.ports.password_hasher import PasswordHasher


async def confirmed_account(reader: ReadOnlyUnitOfWork, hasher: PasswordHasher, user_id: UserId, password: str) -> User:
    """The caller's account, once `password` is proved to be its current password.

    Raises:
        TokenInvalidError: the account no longer exists or is deactivated (the permission rule).
        WrongPasswordError: the password is not the current one (an over-long one is refused
            before hashing: no account could have it).
    """
    async with reader as view:
        user = await view.users.get(user_id)
    if user is None or not user.is_active:
        raise TokenInvalidError
    if len(password) > PASSWORD_HARD_MAX_LENGTH:
        raise WrongPasswordError
    if not (await hasher.verify(password, user.hashed_password)).ok:
        raise WrongPasswordError
    return user
