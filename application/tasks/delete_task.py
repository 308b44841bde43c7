"""DeleteTask: the caller removes one of their tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from application.permissions import task_owner
from application.unit_of_work import UnitOfWork
from domain.errors import TaskNotFoundError
from domain.ids import UserId
from domain.sessions import Access
from domain.tasks import TaskId


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteTask:
    user_id: UserId
    task_id: TaskId


class DeleteTaskHandler:
    """Delete one task of the caller.

    - The caller must be an active account whose roles allow owning tasks.
    - A task that does not exist, was already deleted or belongs to another user is "not found",
      and nothing is deleted.
    """

    # What its caller needs: an API key with the scope `tasks:write` may use it too.
    access: ClassVar[Access] = Access.TASKS_WRITE

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def handle(self, command: DeleteTask) -> None:
        async with self._uow as uow:
            owner_id = await task_owner(uow, command.user_id)
            if not await uow.tasks.delete(command.task_id, owner_id):
                raise TaskNotFoundError
            await uow.commit()
