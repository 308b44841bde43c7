"""SqlTaskRepository: the owner-scoped task store over one transaction's `SqlConnection`."""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, case, delete, func, select, update

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import insert_all
from adapters.sql.tables import tasks, users
from domain.ids import UserId
from domain.paging import Page
from domain.ports.repositories import AccountOverview, AccountOverviews, TaskRepository
from domain.tasks import Task, TaskId

_TASK_COLUMNS = (
    tasks.c.id,
    tasks.c.owner_id,
    tasks.c.title,
    tasks.c.description,
    tasks.c.completed,
    tasks.c.created_at,
    tasks.c.updated_at,
)
_ID_MAX_LENGTH = 36  # the width of `tasks.id`
_OWNED = tasks.c.owner_id == bindparam("owner_id")

_ADD = insert_all(tasks)
_GET = Statement(select(*_TASK_COLUMNS).where(tasks.c.id == bindparam("task_id"), _OWNED))
_UPDATE = Statement(
    # Identity, ownership and creation time are never rewritten.
    update(tasks).where(tasks.c.id == bindparam("task_id"), _OWNED),
    column_keys=["title", "description", "completed", "updated_at"],
)
_DELETE = Statement(delete(tasks).where(tasks.c.id == bindparam("task_id"), _OWNED))
DELETE_TASKS_OF_OWNER = Statement(delete(tasks).where(_OWNED))
"""Every task of the owner `:owner_id`, for the repositories that delete an owner (`tasks.owner_id` has no
foreign key: its owner is a user or a service account)."""
_COUNTS = Statement(
    select(
        func.count().label("total"),
        func.coalesce(func.sum(case((tasks.c.completed, 1), else_=0)), 0).label("done"),
    ).where(_OWNED)
)
_LIST: dict[bool, tuple[Statement, Statement]] = {}
_OWNER = tasks.c.owner_id == users.c.id
_OVERVIEW = Statement(
    select(
        users,
        select(func.count()).where(_OWNER).scalar_subquery().label("task_count"),
        select(func.count()).where(_OWNER, tasks.c.completed).scalar_subquery().label("completed_task_count"),
    ).where(users.c.id == bindparam("user_id"))
)


def _list_statements(by_completion: bool) -> tuple[Statement, Statement]:
    statements = _LIST.get(by_completion)
    if statements is None:
        conditions: list[ColumnElement[bool]] = [_OWNED]
        if by_completion:
            conditions.append(tasks.c.completed == bindparam("completed", type_=tasks.c.completed.type))
        rows = (
            select(*_TASK_COLUMNS)
            .where(*conditions)
            .order_by(tasks.c.created_at.desc(), tasks.c.id.desc())
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
        total = select(func.count().label("total")).select_from(tasks).where(*conditions)
        statements = _LIST[by_completion] = (Statement(rows), Statement(total))
    return statements


def _may_be_stored(task_id: TaskId) -> bool:
    """Whether `task_id` could be the id of a stored row. Ids come from clients' paths; PostgreSQL
    refuses NUL in text and the drivers cannot send lone surrogates, so such an id is answered as
    missing without a query instead of failing inside one."""
    return (
        len(task_id) <= _ID_MAX_LENGTH
        and "\x00" not in task_id
        and not any("\ud800" <= char <= "\udfff" for char in task_id)
    )


class SqlTaskRepository(TaskRepository):
    """Tasks in `tasks`, every statement filtered by `owner_id`, so another user's task is out of
    reach of every query rather than checked afterwards. A page and its total are read in the unit
    of work's transaction; tasks go with their user through ON DELETE CASCADE."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, task: Task) -> None:
        await self._connection.execute(_ADD, mapping.task_to_row(task))

    async def get(self, task_id: TaskId, owner_id: UserId) -> Task | None:
        if not _may_be_stored(task_id):
            return None
        row = await self._connection.fetch_one(_GET, {"task_id": task_id, "owner_id": owner_id})
        return mapping.task_from_row(row) if row is not None else None

    async def list(self, owner_id: UserId, *, completed: bool | None, page: Page) -> tuple[list[Task], int]:
        rows_statement, total_statement = _list_statements(completed is not None)
        values = {"owner_id": owner_id, "completed": completed, "limit": page.limit, "offset": page.offset}
        rows = await self._connection.fetch(rows_statement, values)
        total = await self._connection.fetch_one(total_statement, values)
        return [mapping.task_from_row(row) for row in rows], int(total["total"]) if total else 0

    async def update(self, task: Task) -> None:
        values = mapping.task_to_row(task)
        values["task_id"] = values["id"]
        await self._connection.execute(_UPDATE, values)

    async def delete(self, task_id: TaskId, owner_id: UserId) -> bool:
        if not _may_be_stored(task_id):
            return False
        return await self._connection.execute(_DELETE, {"task_id": task_id, "owner_id": owner_id}) == 1

    async def counts(self, owner_id: UserId) -> tuple[int, int]:
        row = await self._connection.fetch_one(_COUNTS, {"owner_id": owner_id})
        return (int(row["total"]), int(row["done"])) if row is not None else (0, 0)


class SqlAccountOverviews(AccountOverviews):
    """An account and its task counts in one SELECT (the counts as scalar subqueries on the owner index)."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def get(self, user_id: UserId) -> AccountOverview | None:
        row = await self._connection.fetch_one(_OVERVIEW, {"user_id": user_id})
        if row is None:
            return None
        return AccountOverview(mapping.user_from_row(row), int(row["task_count"]), int(row["completed_task_count"]))
