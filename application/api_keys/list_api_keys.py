"""ListApiKeys: the caller's API keys (never the keys themselves)."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import acting_account
from application.unit_of_work import ReadOnlyUnitOfWork
from domain.accounts import Permission
from domain.api_keys import ApiKey
from domain.ids import UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class ListApiKeys:
    user_id: UserId


class ListApiKeysHandler:
    """List the caller's unrevoked API keys, oldest first, expired ones included: their names, first
    12 characters, scopes, ranges and times. The keys themselves are not stored, so never shown."""

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, query: ListApiKeys) -> list[ApiKey]:
        async with self._reader as view:
            await acting_account(view, query.user_id, Permission.TASKS_OWN)
            return await view.api_keys.of_user(query.user_id)
