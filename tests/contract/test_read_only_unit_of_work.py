"""Contract of ReadOnlyUnitOfWork: one test per sentence of its docstring, on every backend; what
holds only where reads need no lock (the SQL backends) runs on those."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.audit import AuditEventType
from domain.paging import Page
from tests.backends import SQL_BACKENDS, Storage
from tests.backends import storage as open_storage
from tests.builders import NOW, a_one_time_token, a_session, a_task, a_user, an_audit_event

# Long enough for a reader that does not wait for the writer to finish its read meanwhile.
READ_WINDOW_S = 0.2


class _BlockFailedError(Exception):
    pass


async def _committed(uow: UnitOfWork, user: User) -> None:
    async with uow as tx:
        await tx.users.add(user)
        await tx.commit()


async def test_a_block_sees_what_was_committed_in_every_repository(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    user = a_user()
    session, token, task = a_session(user), a_one_time_token(user), a_task(user)
    event = an_audit_event(user_id=user.id, type=AuditEventType.USER_REGISTERED)
    async with uow as tx:
        await tx.users.add(user)
        await tx.sessions.add(session)
        await tx.one_time_tokens.add(token)
        await tx.tasks.add(task)
        await tx.audit.add(event)
        await tx.commit()

    async with reader as view:
        assert await view.users.get(user.id) == user
        assert await view.users.by_email(user.email) == user
        assert await view.sessions.active_for_user(user.id, NOW) == [session]
        assert await view.one_time_tokens.get(token.token_hash) == token
        assert await view.tasks.list(user.id, completed=None, page=Page()) == ([task], 1)
        assert await view.audit.search(user_id=user.id, type_=None, page=Page()) == ([event], 1)
        overview = await view.overviews.get(user.id)
    assert overview is not None
    assert (overview.user, overview.task_count) == (user, 1)


async def test_a_block_never_sees_what_an_open_transaction_has_not_committed(
    uow: UnitOfWork, reader: ReadOnlyUnitOfWork
) -> None:
    user = a_user()
    added = asyncio.Event()

    async def read() -> User | None:
        await added.wait()
        async with reader as view:
            return await view.users.get(user.id)

    reading = asyncio.create_task(read())
    async with uow as tx:
        await tx.users.add(user)
        added.set()
        # A reader that waits its turn reads after the rollback; one that does not, reads now.
        await asyncio.wait({reading}, timeout=READ_WINDOW_S)

    assert await reading is None


async def test_a_read_only_unit_of_work_has_no_way_to_write(reader: ReadOnlyUnitOfWork) -> None:
    async with reader as view:
        for write in ("commit", "record", "refresh_tokens", "outbox", "oauth_flows"):
            assert not hasattr(view, write), write


async def test_one_instance_can_be_entered_again_sequentially(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    users = [a_user() for _ in range(3)]
    for user in users:
        async with reader as view:
            assert await view.users.get(user.id) is None
        await _committed(uow, user)
        async with reader as view:
            assert await view.users.get(user.id) == user


async def test_a_block_that_failed_does_not_spoil_the_next_one(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    user = a_user()
    await _committed(uow, user)

    async def failing_block() -> None:
        async with reader as view:
            await view.users.get(user.id)
            raise _BlockFailedError

    with pytest.raises(_BlockFailedError):
        await failing_block()

    async with reader as view:
        assert await view.users.get(user.id) == user


# Where reads need no lock: the SQL backends.


@pytest.fixture(params=SQL_BACKENDS)
async def sql_storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    async with open_storage(request.param, tmp_path) as opened:
        yield opened


async def test_a_block_does_not_wait_for_an_open_writer(sql_storage: Storage) -> None:
    writer, reader = sql_storage.new_uow(), sql_storage.new_reader()
    user = a_user()
    async with writer as tx:
        await tx.users.add(user)
        # The writer holds its transaction (and any write lock) open while the reader runs; a reader
        # that needed the lock would fail with "database unavailable" after the busy timeout.
        async with reader as view:
            assert await view.users.get(user.id) is None
        await tx.commit()
    async with reader as view:
        assert await view.users.get(user.id) == user


async def test_each_read_sees_what_was_committed_when_it_ran(sql_storage: Storage) -> None:
    user = a_user()
    async with sql_storage.new_reader() as view:
        assert await view.users.get(user.id) is None
        await _committed(sql_storage.new_uow(), user)
        assert await view.users.get(user.id) == user
