"""SqlApiKeyRepository: the personal API keys of accounts in `api_keys`, over one transaction's `SqlConnection`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import String, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from adapters.sql.api_key_rows import api_key_from_row, api_key_to_row
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import NOW, insert_all
from adapters.sql.tables import UtcDateTime, api_keys
from domain.api_keys import ApiKey, ApiKeyId
from domain.ids import UserId
from domain.ports.api_key_repositories import ApiKeyRepository

_UNREVOKED_OF_USER = (api_keys.c.user_id == bindparam("user_id"), api_keys.c.revoked_at.is_(None))
_ADD = insert_all(api_keys)
_OF_USER = Statement(select(api_keys).where(*_UNREVOKED_OF_USER).order_by(api_keys.c.created_at, api_keys.c.id))
_COUNT_UNREVOKED = Statement(select(func.count().label("count")).select_from(api_keys).where(*_UNREVOKED_OF_USER))
_BY_HASH = Statement(select(api_keys).where(api_keys.c.key_hash == bindparam("key_hash")))
_REVOKE = Statement(
    update(api_keys)
    .where(api_keys.c.id == bindparam("id"), *_UNREVOKED_OF_USER)
    .values(revoked_at=NOW)
    .returning(*api_keys.c)
)
_REVOKE_ALL = Statement(update(api_keys).where(*_UNREVOKED_OF_USER).values(revoked_at=NOW).returning(api_keys.c.id))
_USED_AT = bindparam("used_at", type_=UtcDateTime())
# One key's use: `last_used_at` only ever moves forward, whatever order batches commit in.
_RECORD_USE = Statement(
    update(api_keys)
    .where(api_keys.c.id == bindparam("id"), or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at < _USED_AT))
    .values(last_used_at=_USED_AT)
)
# PostgreSQL: the whole batch in one statement, `UPDATE ... FROM unnest(:ids, :used_ats)`, with the
# same condition per key.
_USES = (
    func.unnest(bindparam("ids", type_=ARRAY(String())), bindparam("used_ats", type_=ARRAY(UtcDateTime())))
    .table_valued("id", "used_at")
    .render_derived(name="uses")
)
_RECORD_USES_AT_ONCE = Statement(
    update(api_keys)
    .where(
        api_keys.c.id == _USES.c.id,
        or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at < _USES.c.used_at),
    )
    .values(last_used_at=_USES.c.used_at)
)


class SqlApiKeyRepository(ApiKeyRepository):
    """API keys in `api_keys`, deleted with their account (ON DELETE CASCADE), looked up by the
    unique index on `key_hash`. `revoke` is one `UPDATE ... WHERE revoked_at IS NULL RETURNING`,
    so exactly one concurrent caller gets the key on SQLite (writers queue on `BEGIN IMMEDIATE`)
    and PostgreSQL (READ COMMITTED re-checks the condition once the row lock is released) alike.
    `record_uses` is one statement per batch on PostgreSQL, one per key on SQLite (in-process)."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def of_user(self, user_id: UserId) -> list[ApiKey]:
        rows = await self._connection.fetch(_OF_USER, {"user_id": user_id})
        return [api_key_from_row(row) for row in rows]

    async def count_unrevoked(self, user_id: UserId) -> int:
        row = await self._connection.fetch_one(_COUNT_UNREVOKED, {"user_id": user_id})
        return int(row["count"]) if row is not None else 0

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        row = await self._connection.fetch_one(_BY_HASH, {"key_hash": key_hash})
        return api_key_from_row(row) if row is not None else None

    async def add(self, key: ApiKey) -> None:
        await self._connection.execute(_ADD, api_key_to_row(key))

    async def revoke(self, key_id: ApiKeyId, user_id: UserId, now: datetime) -> ApiKey | None:
        row = await self._connection.fetch_one(_REVOKE, {"id": key_id, "user_id": user_id, "now": now})
        return api_key_from_row(row) if row is not None else None

    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> list[ApiKeyId]:
        rows = await self._connection.fetch(_REVOKE_ALL, {"user_id": user_id, "now": now})
        return [ApiKeyId(row["id"]) for row in rows]

    async def record_uses(self, uses: Mapping[ApiKeyId, datetime]) -> None:
        if not uses:
            return
        # In id order: concurrent batches (of several processes) sharing keys then take their row
        # locks in one order, not crosswise (a deadlock), when the plan follows the list; a plan
        # that scans the table instead locks in the table's order, also one order.
        ordered = sorted(uses.items())
        if self._connection.dialect_name == "postgresql":
            values = {"ids": [key_id for key_id, _ in ordered], "used_ats": [used_at for _, used_at in ordered]}
            await self._connection.execute(_RECORD_USES_AT_ONCE, values)
            return
        for key_id, used_at in ordered:
            await self._connection.execute(_RECORD_USE, {"id": key_id, "used_at": used_at})
