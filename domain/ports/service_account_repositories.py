"""The repository port of service accounts. Like every repository, it is handed out by a unit of
work (`service_accounts`), its reading half also by a read-only one."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from domain.service_accounts import ServiceAccount, ServiceAccountId


class ServiceAccountReader(Protocol):
    """The service accounts, read (their secrets known only by their hashes)."""

    @abstractmethod
    async def list(self) -> list[ServiceAccount]:
        """Every service account not deleted, oldest first (ties by id)."""

    @abstractmethod
    async def get(self, account_id: ServiceAccountId) -> ServiceAccount | None:
        """The service account with this id, or None when there is none or it is deleted."""

    @abstractmethod
    async def by_client_id(self, client_id: str) -> ServiceAccount | None:
        """The service account with exactly this client id (case matters), or None when there is
        none or it is deleted."""


class ServiceAccountRepository(ServiceAccountReader, Protocol):
    """The service accounts, read and written. A deleted account stays stored (its id and client id
    are never reused) but is found by no read."""

    @abstractmethod
    async def add(self, account: ServiceAccount) -> None:
        """Store a new service account (its id and client id are new)."""

    @abstractmethod
    async def rotate_secret(
        self, account_id: ServiceAccountId, secret_hash: str, now: datetime
    ) -> ServiceAccount | None:
        """Replace the secret hash of the account, not deleted, and set `secret_rotated_at` to `now`;
        the account as changed, or None when there is no such account (or it is deleted)."""

    @abstractmethod
    async def upgrade_secret_hash(self, account_id: ServiceAccountId, old_hash: str, new_hash: str) -> bool:
        """Replace the secret hash of the account, not deleted, with `new_hash` (the same secret under
        current parameters) only while it is still `old_hash`, so a rotation meanwhile is never undone;
        `secret_rotated_at` is untouched. Whether it was replaced."""

    @abstractmethod
    async def delete(self, account_id: ServiceAccountId, now: datetime) -> ServiceAccount | None:
        """Mark the account deleted at `now` and delete its tasks; the account as deleted, or None when
        there is no such account or it was deleted already. Exactly one of concurrent callers gets
        the account."""
