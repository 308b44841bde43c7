"""Contract of IdentityReader and IdentityRepository: one test per sentence of their docstrings, on
every backend (memory, SQLite, PostgreSQL), the race of `add` included."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.identities import Identity, new_identity_id
from tests.builders import NOW, a_stored_user

N = 12
UowFactory = Callable[[], UnitOfWork]
ISSUER = "https://accounts.example.com"


def _an_identity(user: User, **overrides: Any) -> Identity:
    linked = Identity.link(
        user_id=user.id,
        provider="example",
        issuer=ISSUER,
        subject=secrets.token_hex(16),
        email="ada@example.com",
        now=NOW + timedelta(microseconds=17),
    )
    return replace(linked, **overrides)


async def _stored(uow: UnitOfWork, *identities: Identity) -> None:
    async with uow as tx:
        for identity in identities:
            assert await tx.identities.add(identity) is True
        await tx.commit()


async def _identities_of(uow: UnitOfWork, user: User) -> list[Identity]:
    async with uow as tx:
        return await tx.identities.of_user(user.id)


async def test_an_added_identity_comes_back_field_for_field(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    identity = _an_identity(user, subject="1" * 255, email="Ada.Lovelace+login@Example.com")
    await _stored(uow, identity)

    async with uow as tx:
        found = [
            await tx.identities.of_user(user.id),
            await tx.identities.by_subject(identity.issuer, identity.subject),
            await tx.identities.count(user.id),
        ]
    assert found == [[identity], identity, 1]


async def test_an_identity_without_an_email_comes_back_without_one(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    identity = _an_identity(user, email=None)
    await _stored(uow, identity)

    assert await _identities_of(uow, user) == [identity]


async def test_of_user_lists_the_accounts_identities_oldest_first(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    newest, oldest, middle = (_an_identity(user, created_at=NOW + timedelta(seconds=s)) for s in (30, 10, 20))
    await _stored(uow, newest, oldest, middle, _an_identity(other))

    assert await _identities_of(uow, user) == [oldest, middle, newest]
    async with uow as tx:
        assert await tx.identities.count(user.id) == 3


async def test_an_account_without_identities_has_none(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)

    async with uow as tx:
        found = [
            await tx.identities.of_user(user.id),
            await tx.identities.count(user.id),
            await tx.identities.by_subject(ISSUER, "unknown"),
        ]
    assert found == [[], 0, None]


async def test_by_subject_needs_both_the_issuer_and_the_subject(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    identity = _an_identity(user)
    await _stored(uow, identity)

    async with uow as tx:
        found = [
            await tx.identities.by_subject("https://other.example.com", identity.subject),
            await tx.identities.by_subject(identity.issuer, identity.subject.upper()),
            await tx.identities.by_subject(identity.issuer, identity.subject),
        ]
    assert found == [None, None, identity]


async def test_the_reader_sees_committed_identities(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    user = await a_stored_user(uow)
    identity = _an_identity(user)
    await _stored(uow, identity)

    async with reader as view:
        found = [
            await view.identities.of_user(user.id),
            await view.identities.count(user.id),
            await view.identities.by_subject(identity.issuer, identity.subject),
        ]
    assert found == [[identity], 1, identity]


async def test_an_added_identity_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    async with uow as tx:
        assert await tx.identities.add(_an_identity(user)) is True

    assert await _identities_of(uow, user) == []


async def test_a_linked_issuer_and_subject_is_refused_and_the_transaction_goes_on(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    first = _an_identity(user)
    await _stored(uow, first)
    same_subject_elsewhere = _an_identity(
        user, subject=first.subject, issuer="https://other.example.com", created_at=NOW + timedelta(seconds=1)
    )

    async with uow as tx:
        outcomes = [
            await tx.identities.add(_an_identity(user, subject=first.subject, provider="again")),
            await tx.identities.add(_an_identity(other, subject=first.subject)),
            await tx.identities.add(same_subject_elsewhere),
        ]
        await tx.commit()

    assert outcomes == [False, False, True]
    assert await _identities_of(uow, user) == [first, same_subject_elsewhere]
    assert await _identities_of(uow, other) == []


async def test_delete_deletes_only_an_identity_of_the_account(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    kept, deleted = _an_identity(user), _an_identity(user, created_at=NOW + timedelta(seconds=1))
    await _stored(uow, kept, deleted)

    async with uow as tx:
        outcomes = [
            await tx.identities.delete(kept.id, other.id),
            await tx.identities.delete(new_identity_id(), user.id),
            await tx.identities.delete(deleted.id, user.id),
            await tx.identities.delete(deleted.id, user.id),
        ]
        await tx.commit()

    assert outcomes == [False, False, True, False]
    assert await _identities_of(uow, user) == [kept]


async def test_a_deleted_identity_may_be_linked_again(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    identity = _an_identity(user)
    await _stored(uow, identity)
    relinked = _an_identity(other, subject=identity.subject)

    async with uow as tx:
        assert await tx.identities.delete(identity.id, user.id) is True
        assert await tx.identities.add(relinked) is True
        await tx.commit()

    async with uow as tx:
        assert await tx.identities.by_subject(identity.issuer, identity.subject) == relinked


async def test_the_identities_go_with_their_account(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    gone, kept = _an_identity(user), _an_identity(other)
    await _stored(uow, gone, _an_identity(user, created_at=NOW + timedelta(seconds=1)), kept)

    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.commit()

    async with uow as tx:
        found = [
            await tx.identities.of_user(user.id),
            await tx.identities.count(user.id),
            await tx.identities.by_subject(gone.issuer, gone.subject),
            await tx.identities.of_user(other.id),
        ]
    assert found == [[], 0, None, [kept]]


async def test_created_at_comes_back_aware_in_utc(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    await _stored(uow, _an_identity(user))

    [stored] = await _identities_of(uow, user)
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_concurrent_adds_of_one_identity_link_exactly_one(uow_factory: UowFactory) -> None:
    users = [await a_stored_user(uow_factory()) for _ in range(N)]
    subject = secrets.token_hex(16)

    async def add(user: User) -> bool:
        async with uow_factory() as tx:
            added = await tx.identities.add(_an_identity(user, subject=subject))
            await tx.commit()
            return added

    outcomes = await asyncio.gather(*(add(user) for user in users))

    assert sorted(outcomes) == [False] * (N - 1) + [True]
    async with uow_factory() as tx:
        stored = await tx.identities.by_subject(ISSUER, subject)
    assert stored is not None
    assert stored.user_id == users[outcomes.index(True)].id
