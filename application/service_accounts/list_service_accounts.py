"""ListServiceAccounts: the service accounts, for administrators (never their secrets)."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import ReadOnlyUnitOfWork
from domain.accounts import Permission
from domain.ids import UserId
from domain.service_accounts import ServiceAccount


@dataclass(frozen=True, slots=True, kw_only=True)
class ListServiceAccounts:
    actor_id: UserId | None


class ListServiceAccountsHandler:
    """List the service accounts not deleted, oldest first: names, client ids, scopes and times.

    - Needs the `users:manage` permission (`actor_id` None: an operator at the command line).
    - Secrets are stored only as hashes, so never shown.
    """

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, query: ListServiceAccounts) -> list[ServiceAccount]:
        async with self._reader as view:
            await require(view, query.actor_id, Permission.USERS_MANAGE)
            return await view.service_accounts.list()
