"""The account entity, its roles and permissions, and the rules an account enforces on itself."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.account_values import Email, Username
from domain.errors import SelfLockoutError
from domain.ids import UserId, new_user_id


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


class Permission(StrEnum):
    TASKS_OWN = "tasks:own"
    USERS_READ = "users:read"
    USERS_MANAGE = "users:manage"
    AUDIT_READ = "audit:read"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.USER: frozenset({Permission.TASKS_OWN}),
    Role.ADMIN: frozenset(
        {Permission.TASKS_OWN, Permission.USERS_READ, Permission.USERS_MANAGE, Permission.AUDIT_READ}
    ),
}


@dataclass(slots=True, kw_only=True)
class User:
    """An account. `hashed_password` never leaves the core except to be stored; it is None for an
    account that a social login created, until its owner sets a password (by a reset link)."""

    id: UserId
    email: Email
    username: Username
    full_name: str | None
    hashed_password: str | None
    roles: frozenset[Role] = frozenset({Role.USER})
    is_active: bool = True
    email_verified: bool = False
    last_login: datetime | None = None
    created_at: datetime
    updated_at: datetime
    failed_login_attempts: int = 0
    locked_until: datetime | None = None
    # Whether a second factor is on: a correct password then only opens the MFA step of a login.
    mfa_enabled: bool = False

    @classmethod
    def register(
        cls, *, email: Email, username: Username, full_name: str | None, hashed_password: str | None, now: datetime
    ) -> User:
        """A new active account with the `user` role and an unverified email."""
        return cls(
            id=new_user_id(),
            email=email,
            username=username,
            full_name=full_name,
            hashed_password=hashed_password,
            created_at=now,
            updated_at=now,
        )

    @classmethod
    def register_admin(
        cls, *, email: Email, username: Username, full_name: str | None, hashed_password: str, now: datetime
    ) -> User:
        """An administrator created by an operator: the `admin` role on top of `user`, and an email
        that counts as verified (the operator vouches for it)."""
        user = cls.register(
            email=email, username=username, full_name=full_name, hashed_password=hashed_password, now=now
        )
        user.roles = frozenset({Role.USER, Role.ADMIN})
        user.email_verified = True
        return user

    @classmethod
    def register_external(cls, *, email: Email, username: Username, full_name: str | None, now: datetime) -> User:
        """A new account made by a social login: no password, and an email the provider verified."""
        user = cls.register(email=email, username=username, full_name=full_name, hashed_password=None, now=now)
        user.email_verified = True
        return user

    @property
    def has_password(self) -> bool:
        return self.hashed_password is not None

    @property
    def is_superuser(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def permissions(self) -> frozenset[Permission]:
        """What the account may do: the union of its roles' permissions, none when it is deactivated."""
        if not self.is_active:
            return frozenset()
        return frozenset().union(*(ROLE_PERMISSIONS[role] for role in self.roles))

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def record_login(self, now: datetime, upgraded_hash: str | None) -> None:
        """A successful login: stamp it, reset the failure count and store an upgraded hash if any."""
        self.last_login = now
        self.failed_login_attempts = 0
        self.locked_until = None
        if upgraded_hash is not None:
            self.hashed_password = upgraded_hash
        self.updated_at = now

    def reset_password(self, password_hash: str, now: datetime) -> None:
        """A new password set through a mailed link: it also proves the email address."""
        self.change_password(password_hash, now)
        self.email_verified = True
        self.failed_login_attempts = 0
        self.locked_until = None

    def change_password(self, password_hash: str, now: datetime) -> None:
        self.hashed_password = password_hash
        self.updated_at = now

    def set_mfa_enabled(self, enabled: bool, now: datetime) -> None:
        """Record whether a second factor protects the account (its logins then take a second step)."""
        self.mfa_enabled = enabled
        self.updated_at = now

    def verify_email(self, now: datetime) -> None:
        self.email_verified = True
        self.updated_at = now

    @property
    def login_identifiers(self) -> tuple[str, str]:
        """What the account logs in with, and what failed logins are counted against: email and username."""
        return (self.email.value, self.username.value)

    def update_profile(
        self, *, username: Username | None, full_name: str | None, change_full_name: bool, now: datetime
    ) -> None:
        if username is not None:
            self.username = username
        if change_full_name:
            self.full_name = full_name
        self.updated_at = now

    def administer(
        self,
        *,
        actor_id: UserId | None,
        is_active: bool | None,
        roles: frozenset[Role] | None,
        email_verified: bool | None,
        now: datetime,
    ) -> list[str]:
        """Apply an administrator's changes; the names of the fields that changed.

        Raises:
            SelfLockoutError: the administrator `actor_id` would deactivate itself or drop its own
                admin role (nobody could undo it from the API).
        """
        if self.id == actor_id and (is_active is False or (roles is not None and Role.ADMIN not in roles)):
            raise SelfLockoutError
        self.updated_at = now
        changed: list[str] = []
        if is_active is not None and is_active != self.is_active:
            self.is_active = is_active
            changed.append("is_active")
        if roles is not None and roles != self.roles:
            self.roles = roles
            changed.append("roles")
        if email_verified is not None and email_verified != self.email_verified:
            self.email_verified = email_verified
            changed.append("email_verified")
        return changed

    def record_failed_login(self, attempts: int, locked_until: datetime | None, now: datetime) -> None:
        """A failed login on this account: `attempts` in a row so far, locked until `locked_until` if any."""
        self.failed_login_attempts = attempts
        if locked_until is not None:
            self.locked_until = locked_until
        self.updated_at = now

    def unlock(self, now: datetime) -> None:
        self.failed_login_attempts = 0
        self.locked_until = None
        self.updated_at = now

    def account_age_days(self, now: datetime) -> int:
        return max(0, (now - self.created_at).days)

    def copy(self) -> User:
        return replace(self)
