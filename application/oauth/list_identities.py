"""ListIdentities: the provider identities linked to the caller's account."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import ReadOnlyUnitOfWork
from domain.errors import TokenInvalidError
from domain.identities import Identity
from domain.ids import UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class ListIdentities:
    user_id: UserId


class ListIdentitiesHandler:
    """The caller's linked identities, oldest first."""

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, query: ListIdentities) -> list[Identity]:
        async with self._reader as view:
            user = await view.users.get(query.user_id)
            if user is None or not user.is_active:
                raise TokenInvalidError
            return await view.identities.of_user(query.user_id)
