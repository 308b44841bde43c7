"""SqlUserRepository: accounts in the `users` table over one transaction's `SqlConnection`."""

from __future__ import annotations

from sqlalchemy import String, bindparam, delete, func, or_, select, update

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import insert_all
from adapters.sql.tables import users
from adapters.sql.tasks import DELETE_TASKS_OF_OWNER
from domain.account_values import Email, Username
from domain.accounts import User
from domain.ids import UserId
from domain.paging import Page
from domain.ports.repositories import UserRepository

_USER_ADD = insert_all(users)
_USER_BY_ID = Statement(select(users).where(users.c.id == bindparam("user_id")))
# SELECT ... FOR UPDATE on PostgreSQL; SQLite renders no FOR UPDATE, its writers run one at a time.
_USER_LOCKED = Statement(select(users).where(users.c.id == bindparam("user_id")).with_for_update())
_USER_BY_EMAIL = Statement(select(users).where(users.c.email_normalized == bindparam("email")))
_USER_BY_USERNAME = Statement(select(users).where(users.c.username_normalized == bindparam("username")))
_USER_DELETE = Statement(delete(users).where(users.c.id == bindparam("user_id")))
_USER_UPDATE = Statement(
    update(users).where(users.c.id == bindparam("user_id")),
    column_keys=[column.key for column in users.columns if column.key != "id"],
)
_USER_SEARCH: dict[bool, tuple[Statement, Statement]] = {}
_LIKE_ESCAPE = "/"


def _like_escaped(text: str) -> str:
    """`text` as a LIKE pattern that matches it literally, with `_LIKE_ESCAPE` as the escape character."""
    for special in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, _LIKE_ESCAPE + special)
    return text


def _user_search(with_query: bool) -> tuple[Statement, Statement]:
    statements = _USER_SEARCH.get(with_query)
    if statements is None:
        conditions = []
        if with_query:
            # The normalised columns hold `str.lower()` of the values, so lowering the query in
            # Python compares the same way on every database; `_like_escaped` makes `%`, `_` and
            # the escape character itself match literally.
            needle = bindparam("needle", type_=String())
            conditions.append(
                or_(
                    users.c.email_normalized.contains(needle, escape=_LIKE_ESCAPE),
                    users.c.username_normalized.contains(needle, escape=_LIKE_ESCAPE),
                )
            )
        rows = (
            select(users)
            .where(*conditions)
            .order_by(users.c.created_at, users.c.id)
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
        total = select(func.count().label("total")).select_from(users).where(*conditions)
        statements = _USER_SEARCH[with_query] = (Statement(rows), Statement(total))
    return statements


class SqlUserRepository(UserRepository):
    """Accounts in `users`; uniqueness ignoring case rests on the unique `*_normalized` columns."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, user: User) -> None:
        await self._connection.execute_checked(_USER_ADD, mapping.user_to_row(user))

    async def get(self, user_id: UserId) -> User | None:
        return await self._one(_USER_BY_ID, {"user_id": user_id})

    async def locked(self, user_id: UserId) -> User | None:
        return await self._one(_USER_LOCKED, {"user_id": user_id})

    async def by_email(self, email: Email) -> User | None:
        return await self._one(_USER_BY_EMAIL, {"email": email.normalized})

    async def by_username(self, username: Username) -> User | None:
        return await self._one(_USER_BY_USERNAME, {"username": username.normalized})

    async def delete(self, user_id: UserId) -> None:
        # Sessions, refresh tokens and mailed tokens go with the row (ON DELETE CASCADE); tasks are
        # deleted first, by hand (their owner may also be a service account: no foreign key).
        await self._connection.execute(DELETE_TASKS_OF_OWNER, {"owner_id": user_id})
        await self._connection.execute(_USER_DELETE, {"user_id": user_id})

    async def search(self, query: str | None, page: Page) -> tuple[list[User], int]:
        rows_statement, total_statement = _user_search(query is not None)
        values: dict[str, object] = {"limit": page.limit, "offset": page.offset}
        if query is not None:
            values["needle"] = _like_escaped(query.lower())
        rows = await self._connection.fetch(rows_statement, values)
        total = await self._connection.fetch_one(total_statement, values)
        return [mapping.user_from_row(row) for row in rows], int(total["total"]) if total else 0

    async def update(self, user: User) -> None:
        values = mapping.user_to_row(user)
        values["user_id"] = values.pop("id")
        await self._connection.execute_checked(_USER_UPDATE, values)

    async def _one(self, statement: Statement, values: dict[str, object]) -> User | None:
        row = await self._connection.fetch_one(statement, values)
        return mapping.user_from_row(row) if row is not None else None
