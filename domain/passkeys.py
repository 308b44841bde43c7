"""Passkeys (WebAuthn credentials) of accounts, and the server-side challenges of their ceremonies,
with the rules that govern both."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from domain.errors import FieldError, ValidationFailedError
from domain.ids import UserId
from domain.text import is_control_character

PasskeyId = NewType("PasskeyId", str)

# A ceremony's challenge is single use and must be answered within five minutes.
WEBAUTHN_CHALLENGE_TTL = timedelta(minutes=5)
# At least 16 random bytes (WebAuthn section 13.4.3); 32 here.
WEBAUTHN_CHALLENGE_BYTES = 32
MAX_PASSKEYS_PER_USER = 20
PASSKEY_NAME_MAX_LENGTH = 64
DEFAULT_PASSKEY_NAME = "Passkey"
# Credential ids are at most 1023 bytes (WebAuthn section 5.1); anything longer is no credential of ours.
CREDENTIAL_ID_MAX_BYTES = 1023


class CeremonyPurpose(StrEnum):
    """What a WebAuthn challenge was issued for; it answers for nothing else."""

    # Adding a passkey to the account of `user_id`.
    REGISTRATION = "registration"
    # Passwordless login with a discoverable credential: no account named.
    LOGIN = "login"
    # The second step of a password login (bound to its `mfa_token` and account).
    SECOND_FACTOR = "second_factor"


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """The WebAuthn relying party passkeys are made for: its id (a domain), the name authenticators
    show, and the origins whose pages may register and use them."""

    id: str
    name: str
    origins: tuple[str, ...]


def new_passkey_id() -> PasskeyId:
    return PasskeyId(str(uuid.uuid4()))


def user_handle(user_id: UserId) -> bytes:
    """The WebAuthn user handle of an account: the 16 bytes of its UUID (opaque, no personal data)."""
    return uuid.UUID(user_id).bytes


def passkey_name(name: str | None) -> str:
    """A passkey's name as stored: trimmed, the default when empty.

    Raises:
        ValidationFailedError: too long, or with control characters.
    """
    cleaned = (name or "").strip()
    if not cleaned:
        return DEFAULT_PASSKEY_NAME
    if len(cleaned) > PASSKEY_NAME_MAX_LENGTH:
        raise ValidationFailedError(
            [FieldError("name", f"The name must be at most {PASSKEY_NAME_MAX_LENGTH} characters.")]
        )
    if any(is_control_character(char) for char in cleaned):
        raise ValidationFailedError([FieldError("name", "The name must not contain control characters.")])
    return cleaned


def sign_count_regressed(stored: int, presented: int) -> bool:
    """Whether an assertion's signature counter shows a cloned authenticator (WebAuthn section
    6.1.1): when either count is non-zero, the presented one must be greater than the stored one.
    Authenticators that keep no counter (both zero, as synced passkeys do) never regress."""
    if stored == 0 and presented == 0:
        return False
    return presented <= stored


@dataclass(frozen=True, slots=True, kw_only=True)
class Passkey:
    """A WebAuthn credential registered to an account.

    `credential_id` is the authenticator's id of the credential (unique across accounts);
    `public_key` its COSE public key; `sign_count` the last signature counter seen; `transports`
    the hints the browser reported; `backup_eligible`/`backed_up` the BE/BS flags (a synced passkey).
    """

    id: PasskeyId
    user_id: UserId
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: tuple[str, ...]
    backup_eligible: bool
    backed_up: bool
    name: str
    created_at: datetime
    last_used_at: datetime | None = None

    def used(self, *, sign_count: int, backed_up: bool, now: datetime) -> Passkey:
        """The passkey after an accepted assertion."""
        return replace(self, sign_count=sign_count, backed_up=backed_up, last_used_at=now)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebAuthnChallenge:
    """The server's half of one ceremony: the random `challenge` sent in the options, known by the
    hash of its opaque handle (the `challenge_id` given to the client, or the `mfa_token` of the
    login's second step). Single use, valid five minutes, for its `purpose` only; bound to
    `user_id` for registration and the second factor (None for passwordless login)."""

    handle_hash: str
    purpose: CeremonyPurpose
    challenge: bytes
    user_id: UserId | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls, *, handle_hash: str, purpose: CeremonyPurpose, challenge: bytes, user_id: UserId | None, now: datetime
    ) -> WebAuthnChallenge:
        return cls(
            handle_hash=handle_hash,
            purpose=purpose,
            challenge=challenge,
            user_id=user_id,
            created_at=now,
            expires_at=now + WEBAUTHN_CHALLENGE_TTL,
        )

    def answerable(self, purpose: CeremonyPurpose, now: datetime) -> bool:
        """Whether this challenge may still be answered for `purpose`: unused, unexpired, same purpose."""
        return self.used_at is None and now < self.expires_at and self.purpose is purpose


# RFC 8176 method values: a passkey with user verification is something you have and something
# you are or know, so two factors on its own.
AMR_PASSKEY = ("hwk", "user", "mfa")
