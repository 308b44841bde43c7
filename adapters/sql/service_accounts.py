"""SqlServiceAccountRepository: the service accounts in `service_accounts`, over one transaction's `SqlConnection`.

Scopes are stored sorted and joined by spaces, as an API key's are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import NOW, insert_all
from adapters.sql.tables import service_accounts
from adapters.sql.tasks import DELETE_TASKS_OF_OWNER
from domain.api_keys import Scope
from domain.ports.service_account_repositories import ServiceAccountRepository
from domain.service_accounts import ServiceAccount, ServiceAccountId, scope_text

_LIVE = service_accounts.c.deleted_at.is_(None)
_ADD = insert_all(service_accounts)
_LIST = Statement(select(service_accounts).where(_LIVE).order_by(service_accounts.c.created_at, service_accounts.c.id))
_GET = Statement(select(service_accounts).where(service_accounts.c.id == bindparam("id"), _LIVE))
_BY_CLIENT_ID = Statement(select(service_accounts).where(service_accounts.c.client_id == bindparam("client_id"), _LIVE))
_ROTATE = Statement(
    update(service_accounts)
    .where(service_accounts.c.id == bindparam("id"), _LIVE)
    .values(secret_hash=bindparam("secret_hash"), secret_rotated_at=NOW)
    .returning(*service_accounts.c)
)
_UPGRADE = Statement(
    update(service_accounts)
    .where(
        service_accounts.c.id == bindparam("id"),
        service_accounts.c.secret_hash == bindparam("old_hash"),
        _LIVE,
    )
    .values(secret_hash=bindparam("new_hash"))
)
_DELETE = Statement(
    update(service_accounts)
    .where(service_accounts.c.id == bindparam("id"), _LIVE)
    .values(deleted_at=NOW)
    .returning(*service_accounts.c)
)


class SqlServiceAccountRepository(ServiceAccountRepository):
    """Service accounts in `service_accounts`, looked up by the unique index on `client_id`.
    `rotate_secret` and `delete` are each one `UPDATE ... WHERE deleted_at IS NULL RETURNING`, so
    exactly one concurrent caller deletes an account on SQLite (writers queue on `BEGIN IMMEDIATE`)
    and PostgreSQL (READ COMMITTED re-checks the condition once the row lock is released) alike,
    and no secret is set on an account deleted meanwhile. Deleting an account deletes its tasks."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def list(self) -> list[ServiceAccount]:
        return [_from_row(row) for row in await self._connection.fetch(_LIST)]

    async def get(self, account_id: ServiceAccountId) -> ServiceAccount | None:
        row = await self._connection.fetch_one(_GET, {"id": account_id})
        return _from_row(row) if row is not None else None

    async def by_client_id(self, client_id: str) -> ServiceAccount | None:
        row = await self._connection.fetch_one(_BY_CLIENT_ID, {"client_id": client_id})
        return _from_row(row) if row is not None else None

    async def add(self, account: ServiceAccount) -> None:
        await self._connection.execute(_ADD, _to_row(account))

    async def rotate_secret(
        self, account_id: ServiceAccountId, secret_hash: str, now: datetime
    ) -> ServiceAccount | None:
        row = await self._connection.fetch_one(_ROTATE, {"id": account_id, "secret_hash": secret_hash, "now": now})
        return _from_row(row) if row is not None else None

    async def upgrade_secret_hash(self, account_id: ServiceAccountId, old_hash: str, new_hash: str) -> bool:
        values = {"id": account_id, "old_hash": old_hash, "new_hash": new_hash}
        return await self._connection.execute(_UPGRADE, values) == 1

    async def delete(self, account_id: ServiceAccountId, now: datetime) -> ServiceAccount | None:
        row = await self._connection.fetch_one(_DELETE, {"id": account_id, "now": now})
        if row is None:
            return None
        await self._connection.execute(DELETE_TASKS_OF_OWNER, {"owner_id": account_id})
        return _from_row(row)


def _to_row(account: ServiceAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "client_id": account.client_id,
        "secret_hash": account.secret_hash,
        "scopes": scope_text(account.scopes),
        "created_at": account.created_at,
        "secret_rotated_at": account.secret_rotated_at,
        "deleted_at": account.deleted_at,
    }


def _from_row(row: Mapping[str, Any]) -> ServiceAccount:
    return ServiceAccount(
        id=ServiceAccountId(row["id"]),
        name=row["name"],
        client_id=row["client_id"],
        secret_hash=row["secret_hash"],
        scopes=frozenset(Scope(value) for value in row["scopes"].split() if value),
        created_at=row["created_at"],
        secret_rotated_at=row["secret_rotated_at"],
        deleted_at=row["deleted_at"],
    )
