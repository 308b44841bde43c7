"""ListTasks: a page of the caller's tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from application.permissions import task_owner
from application.unit_of_work import ReadOnlyUnitOfWork
from domain.errors import FieldError, ValidationFailedError
from domain.ids import UserId
from domain.paging import Page
from domain.sessions import Access
from domain.tasks import Task

DEFAULT_LIMIT = Page().limit
MAX_LIMIT = 100
# The largest OFFSET every supported database and driver accepts as a plain integer.
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ListTasks:
    user_id: UserId
    completed: bool | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskList:
    """One page of tasks, and how many tasks match the filter in all."""

    items: list[Task]
    total: int
    page: Page


class ListTasksHandler:
    """A page of the caller's tasks, newest first.

    - The caller must be an active account whose roles allow owning tasks.
    - Only the caller's tasks are listed; `completed` keeps only completed (or only open) ones.
    - `limit` is 1 to 100 (20 by default) and `offset` at least 0; `total` counts every match.
    """

    # What its caller needs: an API key with the scope `tasks:read` may use it too.
    access: ClassVar[Access] = Access.TASKS_READ

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, command: ListTasks) -> TaskList:
        page = _page(command.limit, command.offset)
        async with self._reader as view:
            owner_id = await task_owner(view, command.user_id)
            items, total = await view.tasks.list(owner_id, completed=command.completed, page=page)
        return TaskList(items=items, total=total, page=page)


def _page(limit: int, offset: int) -> Page:
    """Raises:
    ValidationFailedError: `limit` or `offset` is out of bounds (every broken bound is listed).
    """
    errors: list[FieldError] = []
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(FieldError("limit", f"Must be 1 to {MAX_LIMIT}."))
    if not 0 <= offset <= MAX_OFFSET:
        errors.append(FieldError("offset", f"Must be 0 to {MAX_OFFSET}."))
    if errors:
        raise ValidationFailedError(errors)
    return Page(limit=limit, offset=offset)
