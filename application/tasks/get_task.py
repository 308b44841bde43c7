"""GetTask: one of the caller's tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from application.permissions import task_owner
from application.unit_of_work import ReadOnlyUnitOfWork
from domain.errors import TaskNotFoundError
from domain.ids import UserId
from domain.sessions import Access
from domain.tasks import Task, TaskId


@dataclass(frozen=True, slots=True, kw_only=True)
class GetTask:
    user_id: UserId
    task_id: TaskId


class GetTaskHandler:
    """One task of the caller.

    - The caller must be an active account whose roles allow owning tasks.
    - A task that does not exist and a task of another user are both "not found", so ids of
      other users' tasks cannot be probed.
    """

    # What its caller needs: an API key with the scope `tasks:read` may use it too.
    access: ClassVar[Access] = Access.TASKS_READ

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, command: GetTask) -> Task:
        async with self._reader as view:
            owner_id = await task_owner(view, command.user_id)
            task = await view.tasks.get(command.task_id, owner_id)
        if task is None:
            raise TaskNotFoundError
        return task
