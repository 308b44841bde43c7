"""MemoryTaskRepository: tasks in a transaction's private copy of the store (or, to read, in the store itself)."""

from __future__ import annotations

from domain.accounts import User
from domain.ids import UserId
from domain.paging import Page
from domain.ports.repositories import AccountOverview, AccountOverviews, TaskRepository
from domain.tasks import Task, TaskId


class MemoryTaskRepository(TaskRepository):
    """Tasks in a dict keyed by id, copied in and out; a task whose owner differs is treated as missing."""

    def __init__(self, tasks: dict[TaskId, Task]) -> None:
        self._tasks = tasks

    async def add(self, task: Task) -> None:
        self._tasks[task.id] = task.copy()

    async def get(self, task_id: TaskId, owner_id: UserId) -> Task | None:
        task = self._owned(task_id, owner_id)
        return task.copy() if task is not None else None

    async def list(self, owner_id: UserId, *, completed: bool | None, page: Page) -> tuple[list[Task], int]:
        matching = [
            task
            for task in self._tasks.values()
            if task.owner_id == owner_id and (completed is None or task.completed == completed)
        ]
        matching.sort(key=lambda task: (task.created_at, task.id), reverse=True)
        window = matching[page.offset : page.offset + page.limit]
        return [task.copy() for task in window], len(matching)

    async def update(self, task: Task) -> None:
        stored = self._owned(task.id, task.owner_id)
        if stored is None:
            return
        updated = task.copy()
        updated.created_at = stored.created_at
        self._tasks[task.id] = updated

    async def delete(self, task_id: TaskId, owner_id: UserId) -> bool:
        if self._owned(task_id, owner_id) is None:
            return False
        del self._tasks[task_id]
        return True

    async def counts(self, owner_id: UserId) -> tuple[int, int]:
        owned = [task for task in self._tasks.values() if task.owner_id == owner_id]
        return len(owned), sum(1 for task in owned if task.completed)

    def _owned(self, task_id: TaskId, owner_id: UserId) -> Task | None:
        task = self._tasks.get(task_id)
        return task if task is not None and task.owner_id == owner_id else None


def delete_tasks_of(tasks: dict[TaskId, Task], owner_id: UserId) -> None:
    """Remove every task of `owner_id`, as ON DELETE CASCADE does when the user row goes."""
    for task_id in [task.id for task in tasks.values() if task.owner_id == owner_id]:
        del tasks[task_id]


class MemoryAccountOverviews(AccountOverviews):
    """Overviews computed from the users and tasks dicts the unit of work reads; the account is copied out."""

    def __init__(self, users: dict[UserId, User], tasks: dict[TaskId, Task]) -> None:
        self._users, self._tasks = users, tasks

    async def get(self, user_id: UserId) -> AccountOverview | None:
        user = self._users.get(user_id)
        if user is None:
            return None
        owned = [task for task in self._tasks.values() if task.owner_id == user_id]
        return AccountOverview(user.copy(), len(owned), sum(1 for task in owned if task.completed))
