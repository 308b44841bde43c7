"""CreateAdmin: an operator creates an administrator account (never reachable over HTTP).

It is registration with another domain factory: `RegisterUserHandler` given `User.register_admin`,
wired as `create_admin` in the composition root. The same input rules and uniqueness apply; the
account gets the `admin` role and its email counts as verified (the operator vouches for it).
"""

from __future__ import annotations

from application.auth.register_user import RegisterUser

CreateAdmin = RegisterUser
