"""RecordApiKeyUses: write the keys' latest uses, gathered in memory, to the store."""

from __future__ import annotations

from application.api_keys.api_key_uses import ApiKeyUses
from application.unit_of_work import UnitOfWork


class RecordApiKeyUsesHandler:
    """Store `last_used_at` of the keys used since the last run, in one transaction (run every 30
    seconds by each server process, and once more when it stops). A failed write keeps the uses for
    the next run. Returns how many keys were written."""

    def __init__(self, uow: UnitOfWork, uses: ApiKeyUses) -> None:
        self._uow, self._uses = uow, uses

    async def handle(self) -> int:
        uses = self._uses.drain()
        if not uses:
            return 0
        try:
            async with self._uow as uow:
                await uow.api_keys.record_uses(uses)
                await uow.commit()
        except BaseException:
            self._uses.restore(uses)
            raise
        return len(uses)
