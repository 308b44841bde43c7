"""ListPasskeys: the caller's passkeys."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import ReadOnlyUnitOfWork
from domain.errors import TokenInvalidError
from domain.ids import UserId
from domain.passkeys import Passkey


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPasskeys:
    user_id: UserId


class ListPasskeysHandler:
    """List the caller's passkeys, oldest first (their names and times; nothing secret is held)."""

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, query: ListPasskeys) -> list[Passkey]:
        async with self._reader as view:
            user = await view.users.get(query.user_id)
            if user is None or not user.is_active:
                raise TokenInvalidError
            return await view.passkeys.of_user(query.user_id)
