"""Contract of ServiceAccountReader and ServiceAccountRepository: one test per sentence of their
docstrings, on every backend (memory, SQLite, PostgreSQL), races included."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.api_keys import Scope
from domain.service_accounts import ServiceAccount, ServiceAccountId, new_client_id, new_service_account_id
from domain.tasks import Task
from tests.builders import NOW

UowFactory = Callable[[], UnitOfWork]


def _an_account(**overrides: Any) -> ServiceAccount:
    fields: dict[str, Any] = {
        "id": new_service_account_id(),
        "name": "billing sync",
        "client_id": new_client_id(),
        "secret_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        "scopes": frozenset({Scope.TASKS_READ}),
        "created_at": NOW + timedelta(microseconds=17),
    }
    fields.update(overrides)
    return ServiceAccount(**fields)


async def _stored(uow: UnitOfWork, *accounts: ServiceAccount) -> None:
    async with uow as tx:
        for account in accounts:
            await tx.service_accounts.add(account)
        await tx.commit()


async def _listed(uow: UnitOfWork) -> list[ServiceAccount]:
    async with uow as tx:
        return await tx.service_accounts.list()


async def test_an_added_account_comes_back_field_for_field(uow: UnitOfWork) -> None:
    account = _an_account(scopes=frozenset(Scope), secret_rotated_at=NOW + timedelta(minutes=3, microseconds=1))
    await _stored(uow, account)

    async with uow as tx:
        found = [
            await tx.service_accounts.list(),
            await tx.service_accounts.get(account.id),
            await tx.service_accounts.by_client_id(account.client_id),
        ]
    assert found == [[account], account, account]


async def test_list_holds_the_accounts_not_deleted_oldest_first(uow: UnitOfWork) -> None:
    newest, oldest, middle = (_an_account(created_at=NOW + timedelta(seconds=s)) for s in (30, 10, 20))
    deleted = _an_account(created_at=NOW, deleted_at=NOW + timedelta(seconds=5))
    await _stored(uow, newest, deleted, oldest, middle)

    assert await _listed(uow) == [oldest, middle, newest]


async def test_accounts_created_at_the_same_time_are_listed_by_id(uow: UnitOfWork) -> None:
    accounts = [_an_account(created_at=NOW) for _ in range(5)]
    await _stored(uow, *accounts)

    assert await _listed(uow) == sorted(accounts, key=lambda account: account.id)


async def test_lookups_find_nothing_unknown_deleted_or_of_another_case(uow: UnitOfWork) -> None:
    account = _an_account(client_id="svc_Abc")
    deleted = _an_account(deleted_at=NOW)
    await _stored(uow, account, deleted)

    async with uow as tx:
        found = [
            await tx.service_accounts.by_client_id("svc_abc"),
            await tx.service_accounts.by_client_id("svc_unknown"),
            await tx.service_accounts.by_client_id(deleted.client_id),
            await tx.service_accounts.get(ServiceAccountId(new_service_account_id())),
            await tx.service_accounts.get(deleted.id),
        ]
    assert found == [None] * 5


async def test_the_reader_sees_committed_accounts(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    account = _an_account()
    await _stored(uow, account)

    async with reader as view:
        found = [await view.service_accounts.list(), await view.service_accounts.by_client_id(account.client_id)]
    assert found == [[account], account]


async def test_an_added_account_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    account = _an_account()
    async with uow as tx:
        await tx.service_accounts.add(account)

    assert await _listed(uow) == []


async def test_rotating_the_secret_replaces_its_hash_and_stamps_the_time(uow: UnitOfWork) -> None:
    account, other = _an_account(), _an_account()
    await _stored(uow, account, other)
    later = NOW + timedelta(hours=1, microseconds=3)

    async with uow as tx:
        rotated = await tx.service_accounts.rotate_secret(account.id, "$argon2id$new", later)
        await tx.commit()

    expected = account.with_secret("$argon2id$new", later)
    assert rotated == expected
    async with uow as tx:
        assert await tx.service_accounts.by_client_id(account.client_id) == expected
        assert await tx.service_accounts.get(other.id) == other


async def test_the_secret_of_an_unknown_or_deleted_account_is_not_rotated(uow: UnitOfWork) -> None:
    deleted = _an_account(deleted_at=NOW)
    await _stored(uow, deleted)

    async with uow as tx:
        unknown = await tx.service_accounts.rotate_secret(new_service_account_id(), "$argon2id$new", NOW)
        gone = await tx.service_accounts.rotate_secret(deleted.id, "$argon2id$new", NOW)
        await tx.commit()

    assert (unknown, gone) == (None, None)


async def test_delete_marks_the_account_deleted_once(uow: UnitOfWork) -> None:
    account = _an_account()
    await _stored(uow, account)
    later = NOW + timedelta(minutes=5)

    async with uow as tx:
        first = await tx.service_accounts.delete(account.id, later)
        second = await tx.service_accounts.delete(account.id, later)
        unknown = await tx.service_accounts.delete(new_service_account_id(), later)
        await tx.commit()

    assert (first, second, unknown) == (account.deleted(later), None, None)
    assert await _listed(uow) == []


async def test_a_delete_without_commit_changes_nothing(uow: UnitOfWork) -> None:
    account = _an_account()
    await _stored(uow, account)
    async with uow as tx:
        await tx.service_accounts.delete(account.id, NOW)

    assert await _listed(uow) == [account]


async def test_exactly_one_of_concurrent_deletes_gets_the_account(uow_factory: UowFactory) -> None:
    account = _an_account()
    await _stored(uow_factory(), account)

    async def delete() -> ServiceAccount | None:
        async with uow_factory() as tx:
            deleted = await tx.service_accounts.delete(account.id, NOW)
            await tx.commit()
            return deleted

    results = await asyncio.gather(*(delete() for _ in range(6)))

    assert [result for result in results if result is not None] == [account.deleted(NOW)]


async def test_timestamps_come_back_aware_in_utc(uow: UnitOfWork) -> None:
    account = _an_account(secret_rotated_at=NOW + timedelta(hours=1))
    await _stored(uow, account)

    async with uow as tx:
        stored = await tx.service_accounts.get(account.id)
    assert stored is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.secret_rotated_at is not None
    assert stored.secret_rotated_at.utcoffset() == timedelta(0)


async def test_deleting_an_account_deletes_its_tasks_only(uow: UnitOfWork) -> None:
    account, other = _an_account(), _an_account()
    await _stored(uow, account, other)
    owned, kept = (
        Task.create(owner_id=owner.subject, title="Reconcile", description=None, completed=False, now=NOW)
        for owner in (account, other)
    )
    async with uow as tx:
        await tx.tasks.add(owned)
        await tx.tasks.add(kept)
        await tx.commit()

    async with uow as tx:
        await tx.service_accounts.delete(account.id, NOW)
        await tx.commit()

    async with uow as tx:
        assert await tx.tasks.get(owned.id, account.subject) is None
        assert await tx.tasks.get(kept.id, other.subject) == kept


async def test_a_secret_hash_is_upgraded_only_while_it_is_the_one_checked(uow: UnitOfWork) -> None:
    account, deleted = _an_account(), _an_account(deleted_at=NOW)
    await _stored(uow, account, deleted)

    async with uow as tx:
        stale = await tx.service_accounts.upgrade_secret_hash(account.id, "$argon2id$other", "$argon2id$new")
        gone = await tx.service_accounts.upgrade_secret_hash(deleted.id, deleted.secret_hash, "$argon2id$new")
        upgraded = await tx.service_accounts.upgrade_secret_hash(account.id, account.secret_hash, "$argon2id$new")
        await tx.commit()

    assert (stale, gone, upgraded) == (False, False, True)
    async with uow as tx:
        assert await tx.service_accounts.get(account.id) == replace(account, secret_hash="$argon2id$new")
