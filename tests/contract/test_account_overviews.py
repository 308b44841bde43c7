"""Contract of AccountOverviews: one test per sentence of its docstrings, on every backend."""

from __future__ import annotations

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.ids import UserId
from domain.ports.repositories import AccountOverview
from tests.builders import a_task, a_user


async def test_an_overview_is_the_account_with_its_task_counts(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    alice, bob = a_user(), a_user()
    async with uow as tx:
        await tx.users.add(alice)
        await tx.users.add(bob)
        for task in (a_task(alice), a_task(alice, completed=True), a_task(alice, completed=True), a_task(alice)):
            await tx.tasks.add(task)
        await tx.tasks.add(a_task(bob, completed=True))
        await tx.commit()

    async with reader as tx:
        assert await tx.overviews.get(alice.id) == AccountOverview(alice, 4, 2)
        assert await tx.overviews.get(bob.id) == AccountOverview(bob, 1, 1)


async def test_an_account_without_tasks_has_zero_counts(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    user = a_user()
    async with uow as tx:
        await tx.users.add(user)
        await tx.commit()

    async with reader as tx:
        assert await tx.overviews.get(user.id) == AccountOverview(user, 0, 0)


async def test_there_is_no_overview_of_a_missing_account(reader: ReadOnlyUnitOfWork) -> None:
    async with reader as tx:
        assert await tx.overviews.get(UserId("no-such-user")) is None


async def test_an_overview_sees_the_transactions_own_changes(uow: UnitOfWork) -> None:
    user = a_user()
    async with uow as tx:
        await tx.users.add(user)
        await tx.tasks.add(a_task(user))
        assert await tx.overviews.get(user.id) == AccountOverview(user, 1, 0)
