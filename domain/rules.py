"""Pure policies: password rules and refresh-token rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from domain.errors import FieldError, ValidationFailedError
from domain.model import RefreshToken, Session

PASSWORD_HARD_MAX_LENGTH = 1024
_SPECIALS = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ")


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordPolicy:
    """What a new password must satisfy. Every rule can be switched off except the length bounds.

    `max_length` exists so that a megabyte "password" is refused before it reaches the hasher.
    """

    min_length: int = 8
    max_length: int = 128
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_digit: bool = True
    require_special: bool = True

    def violations(self, password: str) -> list[str]:
        """Every rule the password breaks, in a stable order (empty when it is acceptable)."""
        broken: list[str] = []
        if len(password) < self.min_length:
            broken.append(f"Must be at least {self.min_length} characters long.")
        if len(password) > self.max_length:
            broken.append(f"Must be at most {self.max_length} characters long.")
        if self.require_uppercase and not any(char.isupper() for char in password):
            broken.append("Must contain an uppercase letter.")
        if self.require_lowercase and not any(char.islower() for char in password):
            broken.append("Must contain a lowercase letter.")
        if self.require_digit and not any(char.isdigit() for char in password):
            broken.append("Must contain a digit.")
        if self.require_special and not any(char in _SPECIALS or not char.isalnum() for char in password):
            broken.append("Must contain a special character.")
        if "\x00" in password:
            broken.append("Must not contain a NUL character.")
        if any("\ud800" <= char <= "\udfff" for char in password):
            broken.append("Must be valid Unicode text.")
        return broken

    def check(self, password: str, *, field_name: str = "password") -> None:
        """Raises:
        ValidationFailedError: one entry per broken rule.
        """
        broken = self.violations(password)
        if broken:
            raise ValidationFailedError([FieldError(field_name, message) for message in broken])


OPAQUE_TOKEN_MAX_LENGTH = 512


def is_plausible_token(value: str) -> bool:
    """Whether `value` could be one of our opaque tokens (URL-safe ASCII of a sane length); anything
    else is refused before it is hashed or looked up."""
    return 0 < len(value) <= OPAQUE_TOKEN_MAX_LENGTH and value.isascii() and value.isprintable()


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which an opaque token is stored (tokens carry 256 random bits,
    so a fast hash is enough: there is nothing to brute-force)."""
    return hashlib.sha256(token.encode()).hexdigest()


def derive_successor(token: str, key: bytes) -> str:
    """The refresh token that follows `token` in its session.

    Derived with HMAC so that a replay inside the grace window can be answered with the very same
    successor without the server ever storing a token in clear.
    """
    digest = hmac.new(key, token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class RefreshVerdict(Enum):
    ROTATE = "rotate"
    REPLAY = "replay"
    REUSED = "reused"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPolicy:
    """Lifetimes of tokens and the grace window of refresh rotation."""

    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=7)
    reuse_grace: timedelta = timedelta(seconds=10)
    # Verification tolerates some clock skew; revocations outlive the longest-lived token by this much.
    revocation_margin: timedelta = timedelta(minutes=1)

    def revocation_until(self, now: datetime) -> datetime:
        """How long a revocation made at `now` must be remembered: until every access token issued
        before `now` has expired."""
        return now + self.access_ttl + self.revocation_margin

    def judge_refresh(self, token: RefreshToken, session: Session | None, now: datetime) -> RefreshVerdict:
        """Decide what presenting `token` means.

        - A token whose session is gone, revoked or expired is invalid.
        - A used token inside the grace window (counted from its first use) is a replay: the
          same successor is handed out again. Later, it is theft and the session must end,
          even when the token itself is past its expiry (late replays are still detected).
        - An unused token is rotated unless it has expired.
        """
        if session is None or not session.is_active(now):
            return RefreshVerdict.INVALID
        if token.used_at is not None:
            if self.reuse_grace > timedelta(0) and now - token.used_at <= self.reuse_grace:
                return RefreshVerdict.REPLAY
            return RefreshVerdict.REUSED
        if now >= token.expires_at:
            return RefreshVerdict.INVALID
        return RefreshVerdict.ROTATE


@dataclass(frozen=True, slots=True, kw_only=True)
class LockoutPolicy:
    """After `max_failures` failed logins in a row an identifier is locked for `duration`; 0 switches it off."""

    max_failures: int = 5
    duration: timedelta = timedelta(minutes=30)

    @property
    def enabled(self) -> bool:
        return self.max_failures > 0


def login_identifier_key(identifier: str) -> str:
    """The key that failed logins are counted under: the normalised identifier, whether or not an
    account has it, so that a lockout tells nothing about which accounts exist.

    Emails and usernames are counted apart: tying them together would reveal that both belong to
    one account. Malformed identifiers are counted under their digest.
    """
    value = identifier.strip()
    if "@" in value:
        return "email:" + value.lower()
    if value.isascii() and value.isprintable() and len(value) <= 64:
        return "username:" + value.lower()
    return "other:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottlePolicy:
    """Per-client-IP request limits; a limit of 0 switches that limit off."""

    requests_per_minute: int = 60
    sensitive_per_minute: int = 5
    window: timedelta = timedelta(minutes=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountTokenPolicy:
    """Lifetimes of the single-use tokens sent by email."""

    password_reset_ttl: timedelta = timedelta(minutes=30)
    email_verification_ttl: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryPolicy:
    """Retries of the outbox: exponential backoff from `first_retry`, capped at `max_retry`, for at
    most `max_attempts` attempts (about a day with the defaults; mailed tokens expire long before)."""

    first_retry: timedelta = timedelta(seconds=5)
    max_retry: timedelta = timedelta(hours=1)
    max_attempts: int = 30
    # Long enough for a whole batch at the longest SMTP timeout, so no other worker re-sends it.
    lease: timedelta = timedelta(minutes=10)

    def next_attempt_after(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1-based)."""
        return min(self.max_retry, self.first_retry * (1 << min(max(0, attempts - 1), 32)))
