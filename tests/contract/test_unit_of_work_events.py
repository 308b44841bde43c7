"""Contract of UnitOfWork's events (`record`, `commit`): published after a successful commit only, on every backend."""

from __future__ import annotations

import pytest

from application.unit_of_work import UnitOfWork
from domain.events import LoginAttemptsCleared, SessionsRevoked, UserRevoked
from domain.ids import SessionId, new_user_id
from tests.backends import Storage
from tests.builders import NOW, a_user, an_audit_event


class _BlockFailedError(Exception):
    pass


def _revoked(*session_ids: str) -> SessionsRevoked:
    return SessionsRevoked(session_ids=tuple(SessionId(value) for value in session_ids), occurred_at=NOW)


async def test_recorded_events_are_published_after_the_commit_in_the_order_recorded(
    uow: UnitOfWork, storage: Storage
) -> None:
    first, audit, last = _revoked("a"), an_audit_event(), UserRevoked(user_id=new_user_id(), occurred_at=NOW)

    async with uow as tx:
        tx.record(first)
        await tx.audit.add(audit)
        tx.record(last)
        assert storage.publisher.published == []
        await tx.commit()

    assert storage.publisher.published == [first, audit, last]


async def test_events_of_a_block_left_without_commit_are_never_published(uow: UnitOfWork, storage: Storage) -> None:
    async with uow as tx:
        tx.record(_revoked("a"))
        await tx.audit.add(an_audit_event())

    async with uow as tx:
        await tx.commit()

    assert storage.publisher.published == []


async def test_events_of_a_block_that_raises_are_never_published(uow: UnitOfWork, storage: Storage) -> None:
    async def failing_block() -> None:
        async with uow as tx:
            tx.record(_revoked("a"))
            raise _BlockFailedError

    with pytest.raises(_BlockFailedError):
        await failing_block()

    assert storage.publisher.published == []


async def test_each_commit_publishes_only_the_events_recorded_since_the_last_one(
    uow: UnitOfWork, storage: Storage
) -> None:
    first, second, dropped = _revoked("a"), _revoked("b"), _revoked("c")

    async with uow as tx:
        tx.record(first)
        await tx.commit()
        tx.record(second)
        await tx.commit()
        tx.record(dropped)

    assert storage.publisher.published == [first, second]


async def test_a_commit_that_fails_publishes_nothing(uow: UnitOfWork, storage: Storage) -> None:
    taken = a_user(email="ada@example.org")
    async with uow as tx:
        await tx.users.add(taken)
        await tx.commit()
    storage.publisher.published.clear()

    async def conflicting_block() -> None:
        async with uow as tx:
            await tx.users.add(a_user(email="ADA@example.org"))
            tx.record(LoginAttemptsCleared(identifiers=("ada@example.org",), occurred_at=NOW))
            await tx.commit()

    with pytest.raises(Exception):  # noqa: B017, PT011 - which uniqueness error is the users contract's business
        await conflicting_block()

    assert storage.publisher.published == []
