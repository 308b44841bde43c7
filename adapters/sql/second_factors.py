"""SqlSecondFactorRepository: second factors in `second_factors` and their recovery codes in
`recovery_codes`, over one transaction's `SqlConnection`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, update

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import NOW, insert_all
from adapters.sql.tables import recovery_codes, second_factors
from domain.ids import UserId
from domain.ports.repositories import SecondFactorRepository
from domain.second_factor import SecondFactor, TotpState

_FACTOR_ADD = insert_all(second_factors)
_CODE_ADD = insert_all(recovery_codes)
_FACTOR_BY_USER = Statement(select(second_factors).where(second_factors.c.user_id == bindparam("user_id")))
_CODES_BY_USER = Statement(
    select(recovery_codes).where(recovery_codes.c.user_id == bindparam("user_id")).order_by(recovery_codes.c.position)
)
_FACTOR_DELETE = Statement(delete(second_factors).where(second_factors.c.user_id == bindparam("user_id")))
_STEP_ADVANCE = Statement(
    update(second_factors)
    .where(
        second_factors.c.user_id == bindparam("user_id"),
        second_factors.c.state == TotpState.ACTIVE.value,
        or_(second_factors.c.last_step.is_(None), second_factors.c.last_step < bindparam("step")),
    )
    .values(last_step=bindparam("step"))
)
_CODE_USE = Statement(
    update(recovery_codes)
    .where(
        recovery_codes.c.user_id == bindparam("user_id"),
        recovery_codes.c.code_hash == bindparam("hash"),
        recovery_codes.c.used_at.is_(None),
    )
    .values(used_at=NOW)
)


class SqlSecondFactorRepository(SecondFactorRepository):
    """One row per account in `second_factors` (the secret only sealed) and its codes in
    `recovery_codes`; the replay guard and the use of a code are each one conditional UPDATE whose
    row count decides, so exactly one concurrent caller wins on SQLite and PostgreSQL alike."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def get(self, user_id: UserId) -> SecondFactor | None:
        row = await self._connection.fetch_one(_FACTOR_BY_USER, {"user_id": user_id})
        if row is None:
            return None
        codes = await self._connection.fetch(_CODES_BY_USER, {"user_id": user_id})
        return mapping.second_factor_from_rows(row, codes)

    async def save(self, factor: SecondFactor) -> None:
        await self.delete(factor.user_id)
        await self._connection.execute(_FACTOR_ADD, mapping.second_factor_to_row(factor))
        for row in mapping.recovery_code_rows(factor):
            await self._connection.execute(_CODE_ADD, row)

    async def delete(self, user_id: UserId) -> bool:
        # The recovery codes go with the row (ON DELETE CASCADE).
        return await self._connection.execute(_FACTOR_DELETE, {"user_id": user_id}) == 1

    async def advance_step(self, user_id: UserId, step: int) -> bool:
        return await self._connection.execute(_STEP_ADVANCE, {"user_id": user_id, "step": step}) == 1

    async def use_recovery_code(self, user_id: UserId, code_hash: str, now: datetime) -> bool:
        values = {"user_id": user_id, "hash": code_hash, "now": now}
        return await self._connection.execute(_CODE_USE, values) == 1
