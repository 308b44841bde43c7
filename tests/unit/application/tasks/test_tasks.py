"""The task use cases (create, list, get, update, delete) and the task counts of the profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from application.account.delete_account import DeleteAccount
from application.account.get_profile import GetProfile
from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.tasks.delete_task import DeleteTask, DeleteTaskHandler
from application.tasks.get_task import GetTask, GetTaskHandler
from application.tasks.list_tasks import ListTasks, ListTasksHandler
from application.tasks.update_task import UpdateTask, UpdateTaskHandler
from domain.accounts import Role, User
from domain.errors import (
    PermissionDeniedError,
    TaskNotFoundError,
    TokenInvalidError,
    ValidationFailedError,
)
from domain.ids import UserId
from domain.tasks import Task, TaskId
from tests.unit.application.conftest import PASSWORD, Harness


@dataclass
class Tasks:
    """The five task handlers as the production container wires them, plus the harness."""

    harness: Harness
    create: CreateTaskHandler
    listing: ListTasksHandler
    get: GetTaskHandler
    update: UpdateTaskHandler
    delete: DeleteTaskHandler

    async def of(
        self, user: User, title: str = "Write the report", *, description: str | None = None, completed: bool = False
    ) -> Task:
        command = CreateTask(user_id=user.id, title=title, description=description, completed=completed)
        return await self.create.handle(command)

    def stored(self, task_id: TaskId) -> Task | None:
        return self.harness.store.tasks.get(task_id)


@pytest.fixture
def tasks(harness: Harness) -> Tasks:
    use_cases = harness.use_cases
    return Tasks(
        harness=harness,
        create=use_cases.create_task(),
        listing=use_cases.list_tasks(),
        get=use_cases.get_task(),
        update=use_cases.update_task(),
        delete=use_cases.delete_task(),
    )


async def two_users(harness: Harness) -> tuple[User, User]:
    ada = await harness.a_user()
    bob = await harness.a_user(email="bob@example.org", username="bob")
    return ada, bob


def fields_of(error: ValidationFailedError) -> list[str]:
    return [field_error.field for field_error in error.errors]


# CreateTask


async def test_a_created_task_belongs_to_the_caller_and_is_stored(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()

    task = await tasks.of(ada, "  Write the report  ", description="Two pages.")

    assert task.owner_id == ada.id
    assert task.title == "Write the report"
    assert task.description == "Two pages."
    assert task.completed is False
    assert task.created_at == task.updated_at == harness.clock.now()
    assert tasks.stored(task.id) == task


async def test_a_task_may_be_created_completed_and_without_description(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()

    task = await tasks.of(ada, completed=True)

    assert task.completed is True
    assert task.description is None


@pytest.mark.parametrize("title", ["", "   ", "x" * 201, "tab\there", "nul\x00"])
async def test_an_invalid_title_is_refused_and_nothing_is_stored(harness: Harness, tasks: Tasks, title: str) -> None:
    ada = await harness.a_user()

    with pytest.raises(ValidationFailedError) as raised:
        await tasks.of(ada, title)

    assert fields_of(raised.value) == ["title"]
    assert harness.store.tasks == {}


async def test_a_title_of_200_characters_is_accepted(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()

    task = await tasks.of(ada, "x" * 200)

    assert len(task.title) == 200


@pytest.mark.parametrize("description", ["x" * 10_001, "nul\x00"])
async def test_an_invalid_description_is_refused(harness: Harness, tasks: Tasks, description: str) -> None:
    ada = await harness.a_user()

    with pytest.raises(ValidationFailedError) as raised:
        await tasks.of(ada, description=description)

    assert fields_of(raised.value) == ["description"]
    assert harness.store.tasks == {}


async def test_a_description_of_10000_characters_is_accepted(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()

    task = await tasks.of(ada, description="x" * 10_000)

    assert task.description == "x" * 10_000


async def test_an_admin_may_own_tasks_too(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    harness.store.users[ada.id].roles = frozenset({Role.ADMIN})

    assert (await tasks.of(ada)).owner_id == ada.id


async def test_an_account_without_the_task_permission_is_denied(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    harness.store.users[ada.id].roles = frozenset()

    with pytest.raises(PermissionDeniedError):
        await tasks.of(ada)
    assert harness.store.tasks == {}


async def test_a_missing_account_makes_the_token_invalid(tasks: Tasks) -> None:
    with pytest.raises(TokenInvalidError):
        await tasks.create.handle(CreateTask(user_id=UserId("no-such-user"), title="Write"))


async def test_a_deactivated_account_makes_the_token_invalid(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    harness.deactivate(ada.id)

    with pytest.raises(TokenInvalidError):
        await tasks.of(ada)


# Every task use case checks the caller first.


async def test_every_task_use_case_refuses_a_deactivated_account(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada)
    harness.deactivate(ada.id)

    with pytest.raises(TokenInvalidError):
        await tasks.listing.handle(ListTasks(user_id=ada.id))
    with pytest.raises(TokenInvalidError):
        await tasks.get.handle(GetTask(user_id=ada.id, task_id=task.id))
    with pytest.raises(TokenInvalidError):
        await tasks.update.handle(UpdateTask(user_id=ada.id, task_id=task.id, completed=True))
    with pytest.raises(TokenInvalidError):
        await tasks.delete.handle(DeleteTask(user_id=ada.id, task_id=task.id))
    assert tasks.stored(task.id) == task


async def test_every_task_use_case_refuses_an_account_without_the_permission(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada)
    harness.store.users[ada.id].roles = frozenset()

    with pytest.raises(PermissionDeniedError):
        await tasks.listing.handle(ListTasks(user_id=ada.id))
    with pytest.raises(PermissionDeniedError):
        await tasks.get.handle(GetTask(user_id=ada.id, task_id=task.id))
    with pytest.raises(PermissionDeniedError):
        await tasks.update.handle(UpdateTask(user_id=ada.id, task_id=task.id, completed=True))
    with pytest.raises(PermissionDeniedError):
        await tasks.delete.handle(DeleteTask(user_id=ada.id, task_id=task.id))
    assert tasks.stored(task.id) == task


# GetTask


async def test_the_owner_gets_their_task(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada)

    assert await tasks.get.handle(GetTask(user_id=ada.id, task_id=task.id)) == task


async def test_another_users_task_is_not_found(harness: Harness, tasks: Tasks) -> None:
    ada, bob = await two_users(harness)
    task = await tasks.of(ada)

    with pytest.raises(TaskNotFoundError):
        await tasks.get.handle(GetTask(user_id=bob.id, task_id=task.id))


@pytest.mark.parametrize("task_id", ["no-such-task", "", "\x00", "x" * 10_000])
async def test_an_unknown_task_is_not_found(harness: Harness, tasks: Tasks, task_id: str) -> None:
    ada = await harness.a_user()

    with pytest.raises(TaskNotFoundError):
        await tasks.get.handle(GetTask(user_id=ada.id, task_id=TaskId(task_id)))


# ListTasks


async def test_the_list_holds_only_the_callers_tasks_newest_first(harness: Harness, tasks: Tasks) -> None:
    ada, bob = await two_users(harness)
    first = await tasks.of(ada, "First")
    harness.clock.advance(timedelta(minutes=1))
    second = await tasks.of(ada, "Second")
    await tasks.of(bob, "Bob's")

    listed = await tasks.listing.handle(ListTasks(user_id=ada.id))

    assert listed.items == [second, first]
    assert listed.total == 2
    assert (listed.page.limit, listed.page.offset) == (20, 0)


async def test_the_list_can_keep_only_completed_or_only_open_tasks(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    done = await tasks.of(ada, "Done", completed=True)
    still_open = await tasks.of(ada, "Open")

    completed = await tasks.listing.handle(ListTasks(user_id=ada.id, completed=True))
    not_completed = await tasks.listing.handle(ListTasks(user_id=ada.id, completed=False))

    assert (completed.items, completed.total) == ([done], 1)
    assert (not_completed.items, not_completed.total) == ([still_open], 1)


async def test_the_list_pages_with_limit_and_offset_and_counts_every_match(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    created = []
    for number in range(5):
        created.append(await tasks.of(ada, f"Task {number}"))
        harness.clock.advance(timedelta(seconds=1))

    listed = await tasks.listing.handle(ListTasks(user_id=ada.id, limit=2, offset=1))

    assert listed.items == [created[3], created[2]]
    assert listed.total == 5
    assert (listed.page.limit, listed.page.offset) == (2, 1)


@pytest.mark.parametrize(
    ("limit", "offset", "fields"),
    [(0, 0, ["limit"]), (101, 0, ["limit"]), (-5, 0, ["limit"]), (20, -1, ["offset"]), (0, -1, ["limit", "offset"])],
)
async def test_out_of_bounds_paging_is_refused(
    harness: Harness, tasks: Tasks, limit: int, offset: int, fields: list[str]
) -> None:
    ada = await harness.a_user()

    with pytest.raises(ValidationFailedError) as raised:
        await tasks.listing.handle(ListTasks(user_id=ada.id, limit=limit, offset=offset))

    assert fields_of(raised.value) == fields


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (100, 0), (100, 2**31 - 1)])
async def test_paging_at_the_bounds_is_accepted(harness: Harness, tasks: Tasks, limit: int, offset: int) -> None:
    ada = await harness.a_user()

    listed = await tasks.listing.handle(ListTasks(user_id=ada.id, limit=limit, offset=offset))

    assert listed.total == 0


# UpdateTask


async def test_an_update_changes_only_the_given_fields(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada, "Draft", description="Keep me")
    harness.clock.advance(timedelta(minutes=5))

    updated = await tasks.update.handle(UpdateTask(user_id=ada.id, task_id=task.id, title="  Final  "))

    assert updated.title == "Final"
    assert updated.description == "Keep me"
    assert updated.completed is False
    assert updated.created_at == task.created_at
    assert updated.updated_at == harness.clock.now()
    assert tasks.stored(task.id) == updated


async def test_an_update_can_complete_a_task(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada)

    updated = await tasks.update.handle(UpdateTask(user_id=ada.id, task_id=task.id, completed=True))

    assert updated.completed is True
    assert tasks.stored(task.id) == updated


async def test_an_update_can_clear_the_description(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada, description="Obsolete")

    updated = await tasks.update.handle(
        UpdateTask(user_id=ada.id, task_id=task.id, description=None, change_description=True)
    )

    assert updated.description is None
    assert tasks.stored(task.id) == updated


async def test_an_update_that_changes_nothing_writes_nothing(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada, "Same", completed=True)
    commits = harness.store.commits
    harness.clock.advance(timedelta(minutes=5))

    updated = await tasks.update.handle(UpdateTask(user_id=ada.id, task_id=task.id, title="Same", completed=True))

    assert updated == task
    assert harness.store.commits == commits


async def test_an_invalid_update_changes_nothing(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada)

    with pytest.raises(ValidationFailedError) as raised:
        await tasks.update.handle(UpdateTask(user_id=ada.id, task_id=task.id, title="x" * 201, completed=True))

    assert fields_of(raised.value) == ["title"]
    assert tasks.stored(task.id) == task


async def test_another_users_task_cannot_be_updated(harness: Harness, tasks: Tasks) -> None:
    ada, bob = await two_users(harness)
    task = await tasks.of(ada)

    with pytest.raises(TaskNotFoundError):
        await tasks.update.handle(UpdateTask(user_id=bob.id, task_id=task.id, title="Mine now", completed=True))

    assert tasks.stored(task.id) == task


# DeleteTask


async def test_the_owner_deletes_their_task(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task, kept = await tasks.of(ada), await tasks.of(ada)

    await tasks.delete.handle(DeleteTask(user_id=ada.id, task_id=task.id))

    assert tasks.stored(task.id) is None
    assert tasks.stored(kept.id) == kept


async def test_a_deleted_task_is_not_found_the_second_time(harness: Harness, tasks: Tasks) -> None:
    ada = await harness.a_user()
    task = await tasks.of(ada)
    await tasks.delete.handle(DeleteTask(user_id=ada.id, task_id=task.id))

    with pytest.raises(TaskNotFoundError):
        await tasks.delete.handle(DeleteTask(user_id=ada.id, task_id=task.id))


async def test_another_users_task_cannot_be_deleted(harness: Harness, tasks: Tasks) -> None:
    ada, bob = await two_users(harness)
    task = await tasks.of(ada)

    with pytest.raises(TaskNotFoundError):
        await tasks.delete.handle(DeleteTask(user_id=bob.id, task_id=task.id))

    assert tasks.stored(task.id) == task


# The account around the tasks


async def test_the_profile_counts_the_callers_tasks(harness: Harness, tasks: Tasks) -> None:
    ada, bob = await two_users(harness)
    await tasks.of(ada, completed=True)
    await tasks.of(ada)
    await tasks.of(ada)
    await tasks.of(bob, completed=True)

    profile = await harness.get_profile.handle(GetProfile(user_id=ada.id))

    assert (profile.task_count, profile.completed_task_count) == (3, 1)


async def test_a_new_account_has_no_tasks(harness: Harness) -> None:
    ada = await harness.a_user()

    profile = await harness.get_profile.handle(GetProfile(user_id=ada.id))

    assert (profile.task_count, profile.completed_task_count) == (0, 0)


async def test_deleting_the_account_deletes_its_tasks(harness: Harness, tasks: Tasks) -> None:
    ada, bob = await two_users(harness)
    await tasks.of(ada)
    kept = await tasks.of(bob)

    await harness.use_cases.delete_account().handle(DeleteAccount(user_id=ada.id, password=PASSWORD))

    assert list(harness.store.tasks.values()) == [kept]
