"""CreateAdmin: an operator creates an administrator account."""

from __future__ import annotations

from application.auth.register_user import RegisterUser, RegisterUserHandler
from domain.accounts import Role, User

CreateAdmin = RegisterUser


class CreateAdminHandler(RegisterUserHandler):
    """Create an account with the `admin` role, for operators (never reachable over HTTP).

    - The same input rules and uniqueness as registration apply.
    - The email counts as verified: an operator vouches for it.
    """

    def _new_user(self, user: User) -> User:
        user.roles = frozenset({Role.USER, Role.ADMIN})
        user.email_verified = True
        return user
