"""CreateTask: the caller adds a task to their own list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from application.permissions import task_owner
from application.unit_of_work import UnitOfWork
from domain.ids import UserId
from domain.ports.clock import Clock
from domain.sessions import Access
from domain.tasks import Task


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTask:
    user_id: UserId
    title: str
    description: str | None = None
    completed: bool = False


class CreateTaskHandler:
    """Create a task owned by the caller.

    - The caller must be an active account whose roles allow owning tasks.
    - The title is trimmed and must keep 1 to 200 characters, without control characters; the
      description, optional, holds at most 10 000 characters and no NUL.
    - The owner is always the caller: nothing in the command can name another one.
    """

    # What its caller needs: an API key with the scope `tasks:write` may use it too.
    access: ClassVar[Access] = Access.TASKS_WRITE

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: CreateTask) -> Task:
        async with self._uow as uow:
            owner_id = await task_owner(uow, command.user_id)
            task = Task.create(
                owner_id=owner_id,
                title=command.title,
                description=command.description,
                completed=command.completed,
                now=self._clock.now(),
            )
            await uow.tasks.add(task)
            await uow.commit()
        return task
