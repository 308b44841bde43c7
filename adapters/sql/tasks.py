"""SqlTaskRepository: the owner-scoped task store over one `AsyncSession`."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Executable, Result, case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql import mapping
from adapters.sql.errors import translated_errors
from adapters.sql.tables import tasks
from domain.model import Page, UserId
from domain.ports.repositories import TaskRepository
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
    """Tasks in `tasks` with Core statements, each one filtered by `owner_id`, so another user's task
    is out of reach of every query rather than checked afterwards. A page and its total are read in
    the unit of work's transaction; tasks go with their user through ON DELETE CASCADE."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, task: Task) -> None:
        await self._execute(insert(tasks).values(mapping.task_to_row(task)))

    async def get(self, task_id: TaskId, owner_id: UserId) -> Task | None:
        if not _may_be_stored(task_id):
            return None
        statement = select(*_TASK_COLUMNS).where(tasks.c.id == task_id, tasks.c.owner_id == owner_id)
        row = (await self._execute(statement)).mappings().one_or_none()
        return mapping.task_from_row(row) if row is not None else None

    async def list(self, owner_id: UserId, *, completed: bool | None, page: Page) -> tuple[list[Task], int]:
        conditions: list[ColumnElement[bool]] = [tasks.c.owner_id == owner_id]
        if completed is not None:
            conditions.append(tasks.c.completed == completed)
        statement = (
            select(*_TASK_COLUMNS)
            .where(*conditions)
            .order_by(tasks.c.created_at.desc(), tasks.c.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
        rows = (await self._execute(statement)).mappings().all()
        total = (await self._execute(select(func.count()).select_from(tasks).where(*conditions))).scalar_one()
        return [mapping.task_from_row(row) for row in rows], int(total)

    async def update(self, task: Task) -> None:
        values = mapping.task_to_row(task)
        # Identity, ownership and creation time are never rewritten.
        for fixed in ("id", "owner_id", "created_at"):
            del values[fixed]
        statement = update(tasks).where(tasks.c.id == task.id, tasks.c.owner_id == task.owner_id).values(values)
        await self._execute(statement)

    async def delete(self, task_id: TaskId, owner_id: UserId) -> bool:
        if not _may_be_stored(task_id):
            return False
        statement = delete(tasks).where(tasks.c.id == task_id, tasks.c.owner_id == owner_id)
        result = cast(CursorResult[Any], await self._execute(statement))
        return result.rowcount == 1

    async def counts(self, owner_id: UserId) -> tuple[int, int]:
        completed = func.coalesce(func.sum(case((tasks.c.completed, 1), else_=0)), 0)
        statement = select(func.count(), completed).select_from(tasks).where(tasks.c.owner_id == owner_id)
        with translated_errors():
            result = await self._session.execute(statement)
        total, done = result.one()
        return int(total), int(done)

    async def _execute(self, statement: Executable) -> Result[Any]:
        with translated_errors():
            return await self._session.execute(statement)
