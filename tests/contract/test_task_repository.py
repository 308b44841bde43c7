"""Contract of TaskRepository: one test per sentence of its docstrings, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.paging import Page
from domain.tasks import Task, TaskId
from tests.builders import NOW, a_task, a_user


async def _stored(uow: UnitOfWork, user: User, *tasks: Task) -> None:
    async with uow as tx:
        if await tx.users.get(user.id) is None:
            await tx.users.add(user)
        for task in tasks:
            await tx.tasks.add(task)
        await tx.commit()


def _ids(tasks: list[Task]) -> list[TaskId]:
    return [task.id for task in tasks]


# Every read and write is scoped to an owner: another user's task does not exist.


async def test_another_owners_task_is_not_found(uow: UnitOfWork) -> None:
    alice, bob = a_user(), a_user()
    task = a_task(bob)
    await _stored(uow, alice)
    await _stored(uow, bob, task)

    async with uow as tx:
        assert await tx.tasks.get(task.id, alice.id) is None


async def test_another_owners_task_is_not_listed_or_counted(uow: UnitOfWork) -> None:
    alice, bob = a_user(), a_user()
    await _stored(uow, alice)
    await _stored(uow, bob, a_task(bob), a_task(bob, completed=True))

    async with uow as tx:
        assert await tx.tasks.list(alice.id, completed=None, page=Page()) == ([], 0)
        assert await tx.tasks.counts(alice.id) == (0, 0)


async def test_another_owners_task_is_not_updated(uow: UnitOfWork) -> None:
    alice, bob = a_user(), a_user()
    task = a_task(bob)
    await _stored(uow, alice)
    await _stored(uow, bob, task)

    async with uow as tx:
        await tx.tasks.update(replace(task, owner_id=alice.id, title="Hijacked", completed=True))
        await tx.commit()

    async with uow as tx:
        assert await tx.tasks.get(task.id, bob.id) == task
        assert await tx.tasks.get(task.id, alice.id) is None


async def test_another_owners_task_is_not_deleted(uow: UnitOfWork) -> None:
    alice, bob = a_user(), a_user()
    task = a_task(bob)
    await _stored(uow, alice)
    await _stored(uow, bob, task)

    async with uow as tx:
        assert await tx.tasks.delete(task.id, alice.id) is False
        await tx.commit()

    async with uow as tx:
        assert await tx.tasks.get(task.id, bob.id) == task


# add: Store a new task of an existing user.


async def test_added_task_comes_back_field_for_field(uow: UnitOfWork) -> None:
    user = a_user()
    task = a_task(user, updated_at=NOW + timedelta(seconds=1, microseconds=5), completed=True)
    await _stored(uow, user, task)

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) == task


async def test_task_without_description_comes_back_without_one(uow: UnitOfWork) -> None:
    user = a_user()
    task = a_task(user, description=None)
    await _stored(uow, user, task)

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) == task


async def test_task_text_comes_back_exactly(uow: UnitOfWork) -> None:
    user = a_user()
    task = a_task(user, title="日本語 ✓ 𝄞 '; DROP TABLE tasks; --", description="line\nnext\t🙂" * 900)
    await _stored(uow, user, task)

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) == task


async def test_an_added_task_is_gone_when_the_transaction_is_not_committed(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user)
    task = a_task(user)

    async with uow as tx:
        await tx.tasks.add(task)

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) is None


# get: The owner's task with this id, or None (also when it belongs to someone else).


async def test_get_returns_none_for_an_unknown_id(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user, a_task(user))

    async with uow as tx:
        assert await tx.tasks.get(a_task(user).id, user.id) is None


@pytest.mark.parametrize("task_id", ["", "\x00", "a\x00b", "x" * 5000, "\ud800", "'; DROP TABLE tasks; --", "%"])
async def test_get_returns_none_for_ids_no_task_can_have(uow: UnitOfWork, task_id: str) -> None:
    user = a_user()
    await _stored(uow, user, a_task(user))

    async with uow as tx:
        assert await tx.tasks.get(TaskId(task_id), user.id) is None


# list: A page of the owner's tasks, newest first (ties by id), optionally only (un)completed
# ones, and how many match in all.


async def test_list_gives_the_owners_tasks_newest_first(uow: UnitOfWork) -> None:
    user = a_user()
    old, middle, new = (a_task(user, created_at=NOW + timedelta(minutes=minutes)) for minutes in (0, 1, 2))
    await _stored(uow, user, middle, new, old)

    async with uow as tx:
        tasks, total = await tx.tasks.list(user.id, completed=None, page=Page())

    assert tasks == [new, middle, old]
    assert total == 3


async def test_list_orders_tasks_created_at_the_same_time_by_descending_id(uow: UnitOfWork) -> None:
    user = a_user()
    ids = [TaskId(f"00000000-0000-4000-8000-00000000000{digit}") for digit in (3, 1, 2)]
    await _stored(uow, user, *(a_task(user, id=task_id) for task_id in ids))

    async with uow as tx:
        tasks, _ = await tx.tasks.list(user.id, completed=None, page=Page())

    assert _ids(tasks) == sorted(ids, reverse=True)


async def test_list_keeps_only_completed_tasks_when_asked(uow: UnitOfWork) -> None:
    user = a_user()
    done = [a_task(user, completed=True, created_at=NOW + timedelta(minutes=minutes)) for minutes in (1, 2)]
    await _stored(uow, user, *done, a_task(user), a_task(user))

    async with uow as tx:
        tasks, total = await tx.tasks.list(user.id, completed=True, page=Page())

    assert tasks == [done[1], done[0]]
    assert total == 2


async def test_list_keeps_only_open_tasks_when_asked(uow: UnitOfWork) -> None:
    user = a_user()
    still_open = a_task(user)
    await _stored(uow, user, still_open, a_task(user, completed=True), a_task(user, completed=True))

    async with uow as tx:
        assert await tx.tasks.list(user.id, completed=False, page=Page()) == ([still_open], 1)


async def test_list_gives_the_page_of_limit_and_offset_with_the_total(uow: UnitOfWork) -> None:
    user = a_user()
    tasks = [a_task(user, created_at=NOW + timedelta(minutes=minutes)) for minutes in range(7)]
    await _stored(uow, user, *tasks)
    newest_first = list(reversed(tasks))

    async with uow as tx:
        first, first_total = await tx.tasks.list(user.id, completed=None, page=Page(limit=3, offset=0))
        second, second_total = await tx.tasks.list(user.id, completed=None, page=Page(limit=3, offset=3))
        last, last_total = await tx.tasks.list(user.id, completed=None, page=Page(limit=3, offset=6))

    assert first == newest_first[0:3]
    assert second == newest_first[3:6]
    assert last == newest_first[6:]
    assert first_total == second_total == last_total == 7


async def test_list_past_the_end_is_empty_but_still_counts(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user, a_task(user), a_task(user))

    async with uow as tx:
        assert await tx.tasks.list(user.id, completed=None, page=Page(limit=10, offset=2)) == ([], 2)


async def test_list_counts_the_filtered_tasks_in_all(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user, *(a_task(user, completed=n % 2 == 0) for n in range(5)))

    async with uow as tx:
        tasks, total = await tx.tasks.list(user.id, completed=True, page=Page(limit=1))

    assert len(tasks) == 1
    assert total == 3


# update: Store the changed fields of the owner's existing task; anything else changes nothing.


async def test_update_stores_the_changed_fields(uow: UnitOfWork) -> None:
    user = a_user()
    task = a_task(user)
    await _stored(uow, user, task)
    changed = replace(task, title="Rewritten", description=None, completed=True, updated_at=NOW + timedelta(hours=1))

    async with uow as tx:
        await tx.tasks.update(changed)
        await tx.commit()

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) == changed


async def test_update_does_not_change_the_creation_time(uow: UnitOfWork) -> None:
    user = a_user()
    task = a_task(user)
    await _stored(uow, user, task)

    async with uow as tx:
        await tx.tasks.update(replace(task, title="Rewritten", created_at=NOW + timedelta(days=1)))
        await tx.commit()

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) == replace(task, title="Rewritten")


async def test_update_of_an_unknown_task_stores_nothing(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user)
    ghost = a_task(user)

    async with uow as tx:
        await tx.tasks.update(ghost)
        await tx.commit()

    async with uow as tx:
        assert await tx.tasks.get(ghost.id, user.id) is None
        assert await tx.tasks.counts(user.id) == (0, 0)


async def test_an_update_is_gone_when_the_transaction_is_not_committed(uow: UnitOfWork) -> None:
    user = a_user()
    task = a_task(user)
    await _stored(uow, user, task)

    async with uow as tx:
        await tx.tasks.update(replace(task, title="Rewritten"))

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) == task


# delete: Delete the owner's task; False when the owner has no such task.


async def test_delete_removes_the_owners_task(uow: UnitOfWork) -> None:
    user = a_user()
    task, other = a_task(user), a_task(user)
    await _stored(uow, user, task, other)

    async with uow as tx:
        assert await tx.tasks.delete(task.id, user.id) is True
        await tx.commit()

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) is None
        assert await tx.tasks.get(other.id, user.id) == other


async def test_delete_of_an_unknown_task_is_false(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user)

    async with uow as tx:
        assert await tx.tasks.delete(a_task(user).id, user.id) is False
        assert await tx.tasks.delete(TaskId("\x00" * 100), user.id) is False


async def test_delete_of_a_deleted_task_is_false(uow: UnitOfWork) -> None:
    user = a_user()
    task = a_task(user)
    await _stored(uow, user, task)

    async with uow as tx:
        assert await tx.tasks.delete(task.id, user.id) is True
        assert await tx.tasks.delete(task.id, user.id) is False


# counts: How many tasks the owner has, and how many of them are completed.


async def test_counts_are_zero_for_a_user_without_tasks(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user)

    async with uow as tx:
        assert await tx.tasks.counts(user.id) == (0, 0)


async def test_counts_give_all_and_completed_tasks(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user, a_task(user), a_task(user, completed=True), a_task(user, completed=True), a_task(user))

    async with uow as tx:
        assert await tx.tasks.counts(user.id) == (4, 2)


# UserRepository.delete: the account goes with everything stored for it, its tasks included.


async def test_tasks_are_deleted_with_their_user(uow: UnitOfWork) -> None:
    user, other = a_user(), a_user()
    task, kept = a_task(user), a_task(other)
    await _stored(uow, user, task)
    await _stored(uow, other, kept)

    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.commit()

    async with uow as tx:
        assert await tx.tasks.get(task.id, user.id) is None
        assert await tx.tasks.counts(user.id) == (0, 0)
        assert await tx.tasks.get(kept.id, other.id) == kept
