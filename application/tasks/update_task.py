"""UpdateTask: the caller changes some fields of one of their tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from application.permissions import task_owner
from application.unit_of_work import UnitOfWork
from domain.errors import TaskNotFoundError
from domain.ids import UserId
from domain.ports.clock import Clock
from domain.sessions import Access
from domain.tasks import Task, TaskId, parse_description, parse_title


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateTask:
    """A partial change: None leaves a field as it is, except the description, which changes
    (None clearing it) exactly when `change_description` is set."""

    user_id: UserId
    task_id: TaskId
    title: str | None = None
    description: str | None = None
    change_description: bool = False
    completed: bool | None = None


class UpdateTaskHandler:
    """Change the title, the description and/or the completion of one task of the caller.

    - The caller must be an active account whose roles allow owning tasks.
    - A task that does not exist or belongs to another user is "not found", and nothing changes.
    - The title and the description follow the rules of task creation; a null description clears it.
    - The id, the owner and the creation time never change; `updated_at` moves only when a value does.
    """

    # What its caller needs: an API key with the scope `tasks:write` may use it too.
    access: ClassVar[Access] = Access.TASKS_WRITE

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: UpdateTask) -> Task:
        async with self._uow as uow:
            owner_id = await task_owner(uow, command.user_id)
            title = parse_title(command.title) if command.title is not None else None
            description = parse_description(command.description) if command.change_description else None
            task = await uow.tasks.get(command.task_id, owner_id)
            if task is None:
                raise TaskNotFoundError
            changed = task.edit(
                title=title,
                description=description,
                change_description=command.change_description,
                completed=command.completed,
                now=self._clock.now(),
            )
            if not changed:
                return task
            await uow.tasks.update(task)
            await uow.commit()
        return task
