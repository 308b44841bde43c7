"""The repository port of personal API keys. Like every repository, it is handed out by a unit of
work (`api_keys`), its reading half also by a read-only one."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from domain.api_keys import ApiKey, ApiKeyId
from domain.ids import UserId


class ApiKeyReader(Protocol):
    """The API keys of accounts, read (known only by the hash of the key)."""

    @abstractmethod
    async def of_user(self, user_id: UserId) -> list[ApiKey]:
        """The account's unrevoked keys (expired ones included), oldest first."""

    @abstractmethod
    async def count_unrevoked(self, user_id: UserId) -> int:
        """How many unrevoked keys the account has (expired ones included)."""

    @abstractmethod
    async def by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this hash, revoked or not, or None."""


class ApiKeyRepository(ApiKeyReader, Protocol):
    """The API keys of accounts, read and written; deleted with their account."""

    @abstractmethod
    async def add(self, key: ApiKey) -> None:
        """Store a new key of an existing account (its id and hash are new)."""

    @abstractmethod
    async def revoke(self, key_id: ApiKeyId, user_id: UserId, now: datetime) -> ApiKey | None:
        """Mark the account's unrevoked key revoked at `now`; the key as revoked, or None when the
        account has no unrevoked key with this id. Exactly one of concurrent callers gets the key."""

    @abstractmethod
    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> list[ApiKeyId]:
        """Mark every unrevoked key of the account revoked at `now`; the ids of those that were."""

    @abstractmethod
    async def record_uses(self, uses: Mapping[ApiKeyId, datetime]) -> None:
        """Set `last_used_at` of each key to its time, where that is later than the stored one (a
        batch of uses gathered in memory: never a write per request), so it only moves forward
        whatever order batches arrive in. Keys revoked since their use get it too (revocation
        is untouched); unknown ids, such as those of deleted keys, are ignored."""
