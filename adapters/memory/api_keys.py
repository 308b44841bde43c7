"""Dict-backed API keys, on a transaction's private copy of the store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from domain.api_keys import ApiKey, ApiKeyId
from domain.ids import UserId
from domain.ports.api_key_repositories import ApiKeyRepository


class MemoryApiKeyRepository(ApiKeyRepository):
    """API keys by id (frozen, so stored as they are); lookups by hash scan them all."""

    def __init__(self, keys: dict[ApiKeyId, ApiKey]) -> None:
        self._keys = keys

    async def of_user(self, user_id: UserId) -> list[ApiKey]:
        return sorted(self._unrevoked_of(user_id), key=lambda key: (key.created_at, key.id))

    async def count_unrevoked(self, user_id: UserId) -> int:
        return len(self._unrevoked_of(user_id))

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        return next((key for key in self._keys.values() if key.key_hash == key_hash), None)

    async def add(self, key: ApiKey) -> None:
        self._keys[key.id] = key

    async def revoke(self, key_id: ApiKeyId, user_id: UserId, now: datetime) -> ApiKey | None:
        key = self._keys.get(key_id)
        if key is None or key.user_id != user_id or key.revoked_at is not None:
            return None
        revoked = self._keys[key_id] = key.revoked(now)
        return revoked

    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> list[ApiKeyId]:
        revoked = self._unrevoked_of(user_id)
        for key in revoked:
            self._keys[key.id] = key.revoked(now)
        return [key.id for key in revoked]

    async def record_uses(self, uses: Mapping[ApiKeyId, datetime]) -> None:
        for key_id, used_at in uses.items():
            key = self._keys.get(key_id)
            if key is not None and (key.last_used_at is None or key.last_used_at < used_at):
                self._keys[key_id] = replace(key, last_used_at=used_at)

    def _unrevoked_of(self, user_id: UserId) -> list[ApiKey]:
        return [key for key in self._keys.values() if key.user_id == user_id and key.revoked_at is None]
