"""Contract of the revocation log: the unit of work stores every revocation event with its commit,
on memory, SQLite and PostgreSQL; readers find them by time; old ones are pruned."""

from __future__ import annotations

from datetime import timedelta

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.events import RecordedRevocation, RolesChanged, SessionsRevoked, UserRevoked
from domain.ids import SessionId, UserId
from tests.backends import Storage
from tests.builders import NOW, a_user

SECOND = timedelta(seconds=1)


async def _logged(reader: ReadOnlyUnitOfWork, since: object = NOW - timedelta(days=1)) -> list[RecordedRevocation]:
    async with reader as view:
        return await view.revocation_log.since(since, limit=100)  # type: ignore[arg-type]


async def test_a_commit_stores_its_revocations_one_per_session_in_order(storage: Storage) -> None:
    user_id = UserId("7d3c1c5e-0000-4000-8000-000000000001")
    async with storage.new_uow() as uow:
        uow.record(
            SessionsRevoked(session_ids=(SessionId("s-1"), SessionId("s-2")), occurred_at=NOW),
            UserRevoked(user_id=user_id, occurred_at=NOW + SECOND),
            RolesChanged(user_id=user_id, roles=frozenset({"admin", "user"}), occurred_at=NOW + 2 * SECOND),
        )
        await uow.commit()

    logged = await _logged(storage.new_reader())

    assert [entry.event for entry in logged] == [
        SessionsRevoked(session_ids=(SessionId("s-1"),), occurred_at=NOW),
        SessionsRevoked(session_ids=(SessionId("s-2"),), occurred_at=NOW),
        UserRevoked(user_id=user_id, occurred_at=NOW + SECOND),
        RolesChanged(user_id=user_id, roles=frozenset({"admin", "user"}), occurred_at=NOW + 2 * SECOND),
    ]
    assert [entry.id for entry in logged] == sorted({entry.id for entry in logged})


async def test_a_rolled_back_transaction_stores_no_revocation(storage: Storage) -> None:
    async with storage.new_uow() as uow:
        uow.record(UserRevoked(user_id=UserId("u-1"), occurred_at=NOW))

    assert await _logged(storage.new_reader()) == []


async def test_readers_page_by_time_and_id(storage: Storage) -> None:
    async with storage.new_uow() as uow:
        uow.record(*(UserRevoked(user_id=UserId(f"u-{n}"), occurred_at=NOW + n * SECOND) for n in range(5)))
        await uow.commit()
    async with storage.new_reader() as view:
        later = await view.revocation_log.since(NOW + 2 * SECOND, limit=100)
        first_page = await view.revocation_log.since(NOW, limit=2)
        second_page = await view.revocation_log.since(NOW, after_id=first_page[-1].id, limit=2)

    assert [entry.event.user_id for entry in later] == ["u-2", "u-3", "u-4"]  # type: ignore[union-attr]
    assert [entry.event.user_id for entry in first_page + second_page] == ["u-0", "u-1", "u-2", "u-3"]  # type: ignore[union-attr]


async def test_revocations_outlive_their_user_and_are_pruned_by_age(storage: Storage) -> None:
    user = a_user()
    async with storage.new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    async with storage.new_uow() as uow:
        await uow.users.delete(user.id)
        uow.record(UserRevoked(user_id=user.id, occurred_at=NOW))
        uow.record(UserRevoked(user_id=UserId("u-later"), occurred_at=NOW + timedelta(hours=1)))
        await uow.commit()

    first, _ = await _logged(storage.new_reader())
    assert first.event == UserRevoked(user_id=user.id, occurred_at=NOW)
    async with storage.new_uow() as uow:
        pruned = await uow.revocation_log.prune(NOW + SECOND)
        await uow.commit()

    assert pruned == 1
    assert [entry.event.user_id for entry in await _logged(storage.new_reader())] == ["u-later"]  # type: ignore[union-attr]


async def test_nothing_but_revocations_is_logged(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    async with uow as tx:
        await tx.users.add(a_user())
        await tx.commit()

    assert await _logged(reader) == []
