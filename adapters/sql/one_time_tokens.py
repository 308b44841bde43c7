"""SqlOneTimeTokenRepository: mailed single-use tokens in the `one_time_tokens` table over one
transaction's `SqlConnection`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import NOW, insert_all
from adapters.sql.tables import one_time_tokens
from domain.ids import UserId
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.ports.repositories import OneTimeTokenRepository

_ONE_TIME_TOKEN_ADD = insert_all(one_time_tokens)
_ONE_TIME_TOKEN_BY_HASH = Statement(select(one_time_tokens).where(one_time_tokens.c.token_hash == bindparam("hash")))
_ONE_TIME_TOKEN_USE = Statement(
    update(one_time_tokens)
    .where(
        one_time_tokens.c.token_hash == bindparam("hash"),
        one_time_tokens.c.purpose == bindparam("purpose"),
        one_time_tokens.c.used_at.is_(None),
        one_time_tokens.c.expires_at > NOW,
    )
    .values(used_at=NOW)
)
_ONE_TIME_TOKENS_INVALIDATE = Statement(
    update(one_time_tokens)
    .where(
        one_time_tokens.c.user_id == bindparam("user_id"),
        one_time_tokens.c.purpose == bindparam("purpose"),
        one_time_tokens.c.used_at.is_(None),
    )
    .values(used_at=NOW)
)


class SqlOneTimeTokenRepository(OneTimeTokenRepository):
    """Single-use tokens in `one_time_tokens`, keyed by hash and deleted with their user; `use` is one
    conditional UPDATE whose row count decides, so exactly one concurrent caller wins."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, token: OneTimeToken) -> None:
        await self._connection.execute(_ONE_TIME_TOKEN_ADD, mapping.one_time_token_to_row(token))

    async def get(self, token_hash: str) -> OneTimeToken | None:
        row = await self._connection.fetch_one(_ONE_TIME_TOKEN_BY_HASH, {"hash": token_hash})
        return mapping.one_time_token_from_row(row) if row is not None else None

    async def use(self, token_hash: str, purpose: TokenPurpose, now: datetime) -> bool:
        values = {"hash": token_hash, "purpose": purpose.value, "now": now}
        return await self._connection.execute(_ONE_TIME_TOKEN_USE, values) == 1

    async def invalidate_for_user(self, user_id: UserId, purpose: TokenPurpose, now: datetime) -> int:
        values = {"user_id": user_id, "purpose": purpose.value, "now": now}
        return await self._connection.execute(_ONE_TIME_TOKENS_INVALIDATE, values)
