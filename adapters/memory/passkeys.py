"""Dict-backed passkeys and WebAuthn challenges, on a transaction's private copy of the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.ids import UserId
from domain.passkeys import CeremonyPurpose, Passkey, PasskeyId, WebAuthnChallenge
from domain.ports.passkey_repositories import PasskeyRepository, WebAuthnChallengeRepository


class MemoryPasskeyRepository(PasskeyRepository):
    """Passkeys by id (frozen, so stored as they are); lookups by credential id scan them all."""

    def __init__(self, passkeys: dict[PasskeyId, Passkey]) -> None:
        self._passkeys = passkeys

    async def of_user(self, user_id: UserId) -> list[Passkey]:
        owned = [passkey for passkey in self._passkeys.values() if passkey.user_id == user_id]
        return sorted(owned, key=lambda passkey: (passkey.created_at, passkey.id))

    async def count(self, user_id: UserId) -> int:
        return sum(1 for passkey in self._passkeys.values() if passkey.user_id == user_id)

    async def by_credential_id(self, credential_id: bytes) -> Passkey | None:
        return next((passkey for passkey in self._passkeys.values() if passkey.credential_id == credential_id), None)

    async def add(self, passkey: Passkey) -> bool:
        if await self.by_credential_id(passkey.credential_id) is not None:
            return False
        self._passkeys[passkey.id] = passkey
        return True

    async def rename(self, passkey_id: PasskeyId, user_id: UserId, name: str) -> Passkey | None:
        passkey = self._own(passkey_id, user_id)
        if passkey is None:
            return None
        renamed = self._passkeys[passkey_id] = replace(passkey, name=name)
        return renamed

    async def delete(self, passkey_id: PasskeyId, user_id: UserId) -> bool:
        if self._own(passkey_id, user_id) is None:
            return False
        del self._passkeys[passkey_id]
        return True

    async def record_use(self, passkey: Passkey, *, expected_sign_count: int) -> bool:
        stored = self._passkeys.get(passkey.id)
        if stored is None or stored.sign_count != expected_sign_count:
            return False
        self._passkeys[passkey.id] = replace(
            stored, sign_count=passkey.sign_count, backed_up=passkey.backed_up, last_used_at=passkey.last_used_at
        )
        return True

    def _own(self, passkey_id: PasskeyId, user_id: UserId) -> Passkey | None:
        passkey = self._passkeys.get(passkey_id)
        return passkey if passkey is not None and passkey.user_id == user_id else None


class MemoryWebAuthnChallengeRepository(WebAuthnChallengeRepository):
    """Challenges by handle hash (frozen, so stored as they are)."""

    def __init__(self, challenges: dict[str, WebAuthnChallenge]) -> None:
        self._challenges = challenges

    async def save(self, challenge: WebAuthnChallenge) -> None:
        for handle_hash in [
            key for key, stored in self._challenges.items() if stored.expires_at <= challenge.created_at
        ]:
            del self._challenges[handle_hash]
        self._challenges[challenge.handle_hash] = challenge

    async def take(self, handle_hash: str, purpose: CeremonyPurpose, now: datetime) -> WebAuthnChallenge | None:
        challenge = self._challenges.get(handle_hash)
        if challenge is None or not challenge.answerable(purpose, now):
            return None
        taken = self._challenges[handle_hash] = replace(challenge, used_at=now)
        return taken
