"""Entities and value objects of the authentication domain."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from domain.errors import FieldError, ValidationFailedError

UserId = NewType("UserId", str)
SessionId = NewType("SessionId", str)

EMAIL_MAX_LENGTH = 254
FULL_NAME_MAX_LENGTH = 100
_EMAIL_LOCAL_MAX_LENGTH = 64
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})+$")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$")
# Control characters, lone surrogates, line and paragraph separators, and the bidi controls that
# let a display name render as something else.
_FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_USERNAME = re.compile(r"^[A-Za-z0-9_-]{3,50}$")


ID_MAX_LENGTH = 64


def is_plausible_id(value: str) -> bool:
    """Whether `value` could be one of our ids (printable ASCII of a sane length); anything else,
    NUL bytes included, is not found without asking a database that might choke on it."""
    return 0 < len(value) <= ID_MAX_LENGTH and value.isascii() and value.isprintable()


def new_user_id() -> UserId:
    return UserId(str(uuid.uuid4()))


def new_session_id() -> SessionId:
    return SessionId(str(uuid.uuid4()))


def _invalid(field_name: str, message: str) -> ValidationFailedError:
    return ValidationFailedError([FieldError(field_name, message)])


@dataclass(frozen=True, slots=True)
class Email:
    """An email address as the user typed it; `normalized` is what uniqueness and look-ups compare.

    Addresses are compared case-insensitively as a whole: most providers ignore case in the
    local part, and treating `Ada@x.org` and `ada@x.org` as two accounts invites takeover.
    """

    value: str

    @property
    def normalized(self) -> str:
        return self.value.lower()

    @classmethod
    def parse(cls, raw: str, *, field_name: str = "email") -> Email:
        """Check the shape of an address (ASCII, one `@`, a dotted domain, RFC 5321 lengths).

        Raises:
            ValidationFailedError: the address is not acceptable.
        """
        value = raw.strip()
        if not value or len(value) > EMAIL_MAX_LENGTH:
            raise _invalid(field_name, f"Must be an email address of at most {EMAIL_MAX_LENGTH} characters.")
        local, at, domain = value.rpartition("@")
        if (
            not at
            or not local
            or len(local) > _EMAIL_LOCAL_MAX_LENGTH
            or not _EMAIL_LOCAL.fullmatch(local)
            or local.startswith(".")
            or local.endswith(".")
            or ".." in local
            or not _EMAIL_DOMAIN.fullmatch(domain)
        ):
            raise _invalid(field_name, "Must be a valid email address.")
        return cls(value)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Username:
    """A username of 3 to 50 characters from `[A-Za-z0-9_-]`, compared case-insensitively."""

    value: str

    @property
    def normalized(self) -> str:
        return self.value.lower()

    @classmethod
    def parse(cls, raw: str, *, field_name: str = "username") -> Username:
        """Raises:
        ValidationFailedError: the username breaks the pattern.
        """
        if not _USERNAME.fullmatch(raw):
            raise _invalid(field_name, "Must be 3 to 50 characters of letters, digits, '_' or '-'.")
        return cls(raw)

    def __str__(self) -> str:
        return self.value


def parse_full_name(raw: str | None, *, field_name: str = "full_name") -> str | None:
    """Trim a display name; refuse control characters and over-long values.

    Raises:
        ValidationFailedError: the name contains control characters or is too long.
    """
    if raw is None:
        return None
    value = raw.strip()
    if len(value) > FULL_NAME_MAX_LENGTH:
        raise _invalid(field_name, f"Must be at most {FULL_NAME_MAX_LENGTH} characters.")
    if any(unicodedata.category(char) in _FORBIDDEN_NAME_CATEGORIES or char in _BIDI_CONTROLS for char in value):
        raise _invalid(field_name, "Must not contain control characters.")
    return value or None


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
    """An account. `hashed_password` never leaves the core except to be stored."""

    id: UserId
    email: Email
    username: Username
    full_name: str | None
    hashed_password: str
    roles: frozenset[Role] = frozenset({Role.USER})
    is_active: bool = True
    email_verified: bool = False
    last_login: datetime | None = None
    created_at: datetime
    updated_at: datetime
    failed_login_attempts: int = 0
    locked_until: datetime | None = None

    @classmethod
    def register(
        cls, *, email: Email, username: Username, full_name: str | None, hashed_password: str, now: datetime
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

    def verify_email(self, now: datetime) -> None:
        self.email_verified = True
        self.updated_at = now

    def update_profile(self, *, username: Username | None, full_name: str | None, change_full_name: bool) -> None:
        if username is not None:
            self.username = username
        if change_full_name:
            self.full_name = full_name

    def administer(
        self, *, is_active: bool | None, roles: frozenset[Role] | None, email_verified: bool | None
    ) -> list[str]:
        """Apply an administrator's changes; the names of the fields that changed."""
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


@dataclass(slots=True, kw_only=True)
class Session:
    """A login on one device: the family that all its rotated refresh tokens belong to."""

    id: SessionId
    user_id: UserId
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    revoked_at: datetime | None = None

    @classmethod
    def start(
        cls, *, user_id: UserId, now: datetime, ttl: timedelta, ip: str | None, user_agent: str | None
    ) -> Session:
        return cls(
            id=new_session_id(),
            user_id=user_id,
            created_at=now,
            last_used_at=now,
            expires_at=now + ttl,
            ip=ip,
            user_agent=user_agent,
        )

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def copy(self) -> Session:
        return replace(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshToken:
    """One refresh token of a session, known only by the SHA-256 hash of its value."""

    token_hash: str
    session_id: SessionId
    user_id: UserId
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessClaims:
    """What an access token asserts; `roles` are for display, never for authorisation."""

    subject: UserId
    session_id: SessionId
    roles: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    token_id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """The outcome of a password verification; `upgraded_hash` is set when the stored hash is outdated."""

    ok: bool
    upgraded_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller, as established from a valid access token."""

    user_id: UserId
    session_id: SessionId
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RateDecision:
    """The outcome of counting one request against a rate limit.

    `remaining` is how many more requests the limit allows right now; `retry_after` (zero when
    allowed) is how long until the next request can pass; `reset_after` is how long until the
    window holds no counted request, so the full allowance is back.
    """

    allowed: bool
    limit: int
    remaining: int
    retry_after: timedelta
    reset_after: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptDecision:
    """The outcome of counting one login attempt against an identifier.

    `attempts` counts the attempts since the last success, this one included when `allowed`;
    when not allowed, `retry_after` says when the lockout ends.
    """

    allowed: bool
    attempts: int
    retry_after: timedelta = timedelta(0)


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"
    EMAIL_VERIFICATION = "email_verification"


@dataclass(frozen=True, slots=True, kw_only=True)
class OneTimeToken:
    """A single-use token mailed to a user (password reset, email verification), known only by the
    SHA-256 hash of its value."""

    token_hash: str
    user_id: UserId
    purpose: TokenPurpose
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def is_usable(self, purpose: TokenPurpose, now: datetime) -> bool:
        """Whether the token may still be used for `purpose` at `now`: right purpose, unused, unexpired."""
        return self.purpose is purpose and self.used_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True, kw_only=True)
class MailMessage:
    """One email: a plain-text part always, an HTML part optionally."""

    to: str
    subject: str
    text: str
    html: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    """A message waiting in the outbox, as a delivery worker claims it."""

    id: str
    message: MailMessage
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None = None


MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """Pagination of a listing."""

    limit: int = 20
    offset: int = 0

    @classmethod
    def parse(cls, limit: int, offset: int) -> Page:
        """Raises:
        ValidationFailedError: `limit` is not within 1..100 or `offset` is negative (both reported).
        """
        errors = []
        if not 1 <= limit <= MAX_PAGE_SIZE:
            errors.append(FieldError("limit", f"Must be between 1 and {MAX_PAGE_SIZE}."))
        if offset < 0:
            errors.append(FieldError("offset", "Must not be negative."))
        if errors:
            raise ValidationFailedError(errors)
        return cls(limit=limit, offset=offset)
