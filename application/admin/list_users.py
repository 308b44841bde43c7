"""ListUsers: an administrator looks through the accounts."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import ReadOnlyUnitOfWork
from domain.accounts import Permission, User
from domain.ids import UserId
from domain.paging import Page, parse_search_query


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUsers:
    actor_id: UserId | None
    query: str | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class UserPage:
    items: list[User]
    total: int
    page: Page


class ListUsersHandler:
    """A page of accounts, oldest first, optionally those whose email or username contains `query`.

    - Needs the `users:read` permission (the admin role).
    """

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, command: ListUsers) -> UserPage:
        page = Page.parse(command.limit, command.offset)
        # Reported against `q`, the name clients give the search text.
        query = parse_search_query(command.query, field_name="q")
        async with self._reader as view:
            await require(view, command.actor_id, Permission.USERS_READ)
            users, total = await view.users.search(query, page)
        return UserPage(users, total, page)
