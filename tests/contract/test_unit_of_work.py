"""Contract of UnitOfWork: one test per sentence of its docstrings, on every backend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from application.unit_of_work import UnitOfWork
from domain.errors import EmailTakenError
from tests.builders import a_user


class _BlockFailedError(Exception):
    pass


async def test_leaving_the_block_without_commit_rolls_back(uow: UnitOfWork) -> None:
    user = a_user()
    async with uow as tx:
        await tx.users.add(user)

    async with uow as tx:
        assert await tx.users.get(user.id) is None


async def test_an_exception_in_the_block_rolls_back(uow: UnitOfWork) -> None:
    user = a_user()

    async def failing_block() -> None:
        async with uow as tx:
            await tx.users.add(user)
            raise _BlockFailedError

    with pytest.raises(_BlockFailedError):
        await failing_block()

    async with uow as tx:
        assert await tx.users.get(user.id) is None


async def test_an_exception_after_commit_keeps_what_was_committed(uow: UnitOfWork) -> None:
    committed, dropped = a_user(), a_user()

    async def failing_block() -> None:
        async with uow as tx:
            await tx.users.add(committed)
            await tx.commit()
            await tx.users.add(dropped)
            raise _BlockFailedError

    with pytest.raises(_BlockFailedError):
        await failing_block()

    async with uow as tx:
        assert await tx.users.get(committed.id) == committed
        assert await tx.users.get(dropped.id) is None


async def test_commit_makes_changes_visible_to_other_units_of_work(uow_factory: Callable[[], UnitOfWork]) -> None:
    user = a_user()
    async with uow_factory() as tx:
        await tx.users.add(user)
        await tx.commit()

    async with uow_factory() as other:
        assert await other.users.get(user.id) == user


async def test_uncommitted_changes_are_invisible_to_other_units_of_work(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    user = a_user()
    async with uow_factory() as tx:
        await tx.users.add(user)
        assert await tx.users.get(user.id) == user
        await tx.commit()

    writer, reader = uow_factory(), uow_factory()
    other = a_user()
    async with writer as tx:
        await tx.users.add(other)
    async with reader as tx:
        assert await tx.users.get(other.id) is None


async def test_changes_after_a_commit_need_their_own_commit(uow: UnitOfWork) -> None:
    first, second = a_user(), a_user()
    async with uow as tx:
        await tx.users.add(first)
        await tx.commit()
        await tx.users.add(second)

    async with uow as tx:
        assert await tx.users.get(first.id) == first
        assert await tx.users.get(second.id) is None


async def test_two_commits_in_one_block_both_hold(uow: UnitOfWork) -> None:
    first, second = a_user(), a_user()
    async with uow as tx:
        await tx.users.add(first)
        await tx.commit()
        await tx.users.add(second)
        await tx.commit()

    async with uow as tx:
        assert await tx.users.get(first.id) == first
        assert await tx.users.get(second.id) == second


async def test_one_instance_can_be_entered_again_sequentially(uow: UnitOfWork) -> None:
    users = [a_user() for _ in range(3)]
    for user in users:
        async with uow as tx:
            await tx.users.add(user)
            await tx.commit()

    for user in users:
        async with uow as tx:
            assert await tx.users.get(user.id) == user


async def test_a_block_that_failed_does_not_spoil_the_next_one(uow: UnitOfWork) -> None:
    taken = a_user(email="ada@example.org")
    async with uow as tx:
        await tx.users.add(taken)
        await tx.commit()

    async def conflicting_block() -> None:
        async with uow as tx:
            await tx.users.add(a_user(email="Ada@example.org"))
            await tx.commit()

    with pytest.raises(EmailTakenError):
        await conflicting_block()

    user = a_user()
    async with uow as tx:
        await tx.users.add(user)
        await tx.commit()
    async with uow as tx:
        assert await tx.users.get(user.id) == user


async def test_racing_transactions_on_one_email_let_exactly_one_commit(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    async def register() -> None:
        async with uow_factory() as tx:
            await tx.users.add(a_user(email="ada@example.org"))
            await asyncio.sleep(0)
            await tx.commit()

    outcomes = await asyncio.gather(register(), register(), register(), return_exceptions=True)

    assert outcomes.count(None) == 1
    assert sum(isinstance(outcome, EmailTakenError) for outcome in outcomes) == 2


async def test_ping_is_true_when_the_store_answers(uow: UnitOfWork) -> None:
    assert await uow.ping() is True


async def test_ping_works_inside_a_block_too(uow_factory: Callable[[], UnitOfWork]) -> None:
    async with uow_factory() as tx:
        await tx.users.add(a_user())
        assert await uow_factory().ping() is True
        await tx.commit()
