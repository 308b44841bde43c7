"""The repository ports of passkeys: the credentials of accounts, and the challenges of ceremonies
in progress. Like every repository, they are handed out by a unit of work (`passkeys`,
`webauthn_challenges`), the passkeys' reading half also by a read-only one."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from domain.ids import UserId
from domain.passkeys import CeremonyPurpose, Passkey, PasskeyId, WebAuthnChallenge


class PasskeyReader(Protocol):
    """The passkeys of accounts, read."""

    @abstractmethod
    async def of_user(self, user_id: UserId) -> list[Passkey]:
        """The account's passkeys, oldest first."""

    @abstractmethod
    async def count(self, user_id: UserId) -> int:
        """How many passkeys the account has."""

    @abstractmethod
    async def by_credential_id(self, credential_id: bytes) -> Passkey | None:
        """The passkey with this WebAuthn credential id (whosever it is), or None."""


class PasskeyRepository(PasskeyReader, Protocol):
    """The passkeys of accounts, read and written; deleted with their account."""

    @abstractmethod
    async def add(self, passkey: Passkey) -> bool:
        """Store a new passkey of an existing account. False, storing nothing, when a passkey with
        the same credential id exists already (of any account), also when a concurrent transaction
        stored it first."""

    @abstractmethod
    async def rename(self, passkey_id: PasskeyId, user_id: UserId, name: str) -> Passkey | None:
        """Give the account's passkey a new name; the passkey as renamed, or None when the account
        has no passkey with this id."""

    @abstractmethod
    async def delete(self, passkey_id: PasskeyId, user_id: UserId) -> bool:
        """Delete the account's passkey; False when the account has no passkey with this id."""

    @abstractmethod
    async def record_use(self, passkey: Passkey, *, expected_sign_count: int) -> bool:
        """Store the sign count, backup state and `last_used_at` of `passkey` (as returned by
        `Passkey.used`), if its stored sign count is still `expected_sign_count`. True for exactly one
        caller per expected count, however many run concurrently, when the new count differs from
        it; False otherwise (used meanwhile, or deleted). An authenticator that keeps no counter
        (0 stays 0) never moves the condition on, so each of its uses is recorded: its assertions are
        kept single use by their challenge (`WebAuthnChallengeRepository.take`), not by the count."""


class WebAuthnChallengeRepository(Protocol):
    """The challenges of WebAuthn ceremonies in progress, known by the hash of their handle."""

    @abstractmethod
    async def save(self, challenge: WebAuthnChallenge) -> None:
        """Store the challenge, replacing any with the same handle hash; challenges expired at its
        `created_at` are deleted on the way, so abandoned ceremonies do not pile up."""

    @abstractmethod
    async def take(self, handle_hash: str, purpose: CeremonyPurpose, now: datetime) -> WebAuthnChallenge | None:
        """Mark the challenge with this handle used at `now` and return it, if it may still be
        answered for `purpose` (`WebAuthnChallenge.answerable`); None, changing nothing, otherwise.
        Exactly one caller gets it, however many run concurrently."""
