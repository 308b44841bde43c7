"""Tokens known to the service only by their hash: the single-use tokens sent by email (password
reset, email verification) and the device tokens of the login lockout, with their lifetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.ids import UserId


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"
    EMAIL_VERIFICATION = "email_verification"
    # Not mailed and not single use: proof that a browser or device has logged in to the account
    # before, valid until it expires (see `LockoutPolicy.device_token_ttl`).
    DEVICE = "device"
    # Not mailed: the code a social login's callback hands the client in the URL fragment, exchanged
    # once for the login's tokens within a minute (`domain.identities.LOGIN_CODE_TTL`).
    SOCIAL_LOGIN = "social_login"


@dataclass(frozen=True, slots=True, kw_only=True)
class OneTimeToken:
    """A token of a user known only by the SHA-256 hash of its value: single use when mailed
    (password reset, email verification), reusable until it expires for a device."""

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
class AccountTokenPolicy:
    """Lifetimes of the single-use tokens sent by email."""

    password_reset_ttl: timedelta = timedelta(minutes=30)
    email_verification_ttl: timedelta = timedelta(hours=24)
    # Mail-bombing bound: at most this many reset mails per account in any `reset_mail_window`,
    # whatever the client addresses asking.
    reset_mails_per_window: int = 3
    reset_mail_window: timedelta = timedelta(hours=1)
