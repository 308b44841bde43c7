"""Dict-backed service accounts, on a transaction's private copy of the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from domain.ids import UserId
from domain.ports.service_account_repositories import ServiceAccountRepository
from domain.service_accounts import ServiceAccount, ServiceAccountId


class MemoryServiceAccountRepository(ServiceAccountRepository):
    """Service accounts by id (frozen, so stored as they are); lookups by client id scan them all.
    `delete_tasks` deletes the tasks of an owner in the same transaction."""

    def __init__(
        self, accounts: dict[ServiceAccountId, ServiceAccount], delete_tasks: Callable[[UserId], None]
    ) -> None:
        self._accounts, self._delete_tasks = accounts, delete_tasks

    async def list(self) -> list[ServiceAccount]:
        live = [account for account in self._accounts.values() if account.deleted_at is None]
        return sorted(live, key=lambda account: (account.created_at, account.id))

    async def get(self, account_id: ServiceAccountId) -> ServiceAccount | None:
        return self._live(account_id)

    async def by_client_id(self, client_id: str) -> ServiceAccount | None:
        return next(
            (
                account
                for account in self._accounts.values()
                if account.client_id == client_id and account.deleted_at is None
            ),
            None,
        )

    async def add(self, account: ServiceAccount) -> None:
        self._accounts[account.id] = account

    async def rotate_secret(
        self, account_id: ServiceAccountId, secret_hash: str, now: datetime
    ) -> ServiceAccount | None:
        account = self._live(account_id)
        if account is None:
            return None
        changed = self._accounts[account_id] = account.with_secret(secret_hash, now)
        return changed

    async def upgrade_secret_hash(self, account_id: ServiceAccountId, old_hash: str, new_hash: str) -> bool:
        account = self._live(account_id)
        if account is None or account.secret_hash != old_hash:
            return False
        self._accounts[account_id] = replace(account, secret_hash=new_hash)
        return True

    async def delete(self, account_id: ServiceAccountId, now: datetime) -> ServiceAccount | None:
        account = self._live(account_id)
        if account is None:
            return None
        deleted = self._accounts[account_id] = account.deleted(now)
        self._delete_tasks(deleted.subject)
        return deleted

    def _live(self, account_id: ServiceAccountId) -> ServiceAccount | None:
        account = self._accounts.get(account_id)
        return account if account is not None and account.deleted_at is None else None
