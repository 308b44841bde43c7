"""Contract of UserRepository: one test per sentence of its docstrings, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta, timezone

import pytest

from application.unit_of_work import UnitOfWork
from domain.errors import EmailTakenError, UsernameTakenError
from domain.model import Email, Role, User, Username
from tests.builders import NOW, a_user


async def _stored(uow: UnitOfWork, *users: User) -> None:
    async with uow as tx:
        for user in users:
            await tx.users.add(user)
        await tx.commit()


async def test_added_user_comes_back_field_for_field(uow: UnitOfWork) -> None:
    user = a_user(
        full_name=None,
        roles=frozenset({Role.USER, Role.ADMIN}),
        email_verified=True,
        last_login=NOW + timedelta(hours=1, microseconds=123456),
        failed_login_attempts=2,
        locked_until=NOW + timedelta(minutes=15),
    )
    await _stored(uow, user)

    async with uow as tx:
        assert await tx.users.get(user.id) == user


async def test_user_without_roles_comes_back_without_roles(uow: UnitOfWork) -> None:
    user = a_user(roles=frozenset())
    await _stored(uow, user)

    async with uow as tx:
        found = await tx.users.get(user.id)
    assert found is not None
    assert found.roles == frozenset()


async def test_datetimes_come_back_aware_in_utc_and_equal(uow: UnitOfWork) -> None:
    created = NOW + timedelta(microseconds=654321)
    user = a_user(created_at=created, updated_at=created, last_login=created, locked_until=created)
    await _stored(uow, user)

    async with uow as tx:
        found = await tx.users.get(user.id)
    assert found is not None
    for moment in (found.created_at, found.updated_at, found.last_login, found.locked_until):
        assert moment == created
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)
        assert moment.tzinfo is not None
        assert moment.astimezone(UTC) == created


async def test_get_returns_none_for_an_unknown_id(uow: UnitOfWork) -> None:
    await _stored(uow, a_user())

    async with uow as tx:
        assert await tx.users.get(a_user().id) is None


async def test_by_email_ignores_case(uow: UnitOfWork) -> None:
    user = a_user(email="Ada.Lovelace@Example.ORG")
    await _stored(uow, user)

    async with uow as tx:
        found = await tx.users.by_email(Email.parse("ada.lovelace@example.org"))
    assert found == user
    assert found is not None
    assert found.email.value == "Ada.Lovelace@Example.ORG"


async def test_by_email_returns_none_for_an_unknown_email(uow: UnitOfWork) -> None:
    await _stored(uow, a_user(email="ada@example.org"))

    async with uow as tx:
        assert await tx.users.by_email(Email.parse("grace@example.org")) is None


async def test_by_username_ignores_case(uow: UnitOfWork) -> None:
    user = a_user(username="AdaLovelace")
    await _stored(uow, user)

    async with uow as tx:
        found = await tx.users.by_username(Username.parse("adalovelace"))
    assert found == user


async def test_by_username_returns_none_for_an_unknown_username(uow: UnitOfWork) -> None:
    await _stored(uow, a_user(username="ada"))

    async with uow as tx:
        assert await tx.users.by_username(Username.parse("grace")) is None


async def test_add_rejects_an_email_of_another_account_ignoring_case(uow: UnitOfWork) -> None:
    await _stored(uow, a_user(email="ada@example.org"))

    async with uow as tx:
        with pytest.raises(EmailTakenError):
            await tx.users.add(a_user(email="ADA@example.org"))


async def test_add_rejects_a_username_of_another_account_ignoring_case(uow: UnitOfWork) -> None:
    await _stored(uow, a_user(username="ada"))

    async with uow as tx:
        with pytest.raises(UsernameTakenError):
            await tx.users.add(a_user(username="ADA"))


async def test_add_rejects_an_email_added_earlier_in_the_same_transaction(uow: UnitOfWork) -> None:
    async with uow as tx:
        await tx.users.add(a_user(email="ada@example.org"))
        with pytest.raises(EmailTakenError):
            await tx.users.add(a_user(email="Ada@Example.org"))


async def test_a_rejected_add_leaves_the_rest_of_the_transaction_intact(uow: UnitOfWork) -> None:
    await _stored(uow, a_user(email="ada@example.org"))
    grace = a_user(email="grace@example.org")

    async with uow as tx:
        await tx.users.add(grace)
        with pytest.raises(EmailTakenError):
            await tx.users.add(a_user(email="ada@example.org"))
        await tx.commit()

    async with uow as tx:
        assert await tx.users.get(grace.id) == grace


async def test_update_stores_the_changed_fields(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user)
    later = NOW + timedelta(days=1)
    changed = replace(
        user,
        email=Email.parse("new-address@example.org"),
        username=Username.parse("new_name"),
        full_name="Countess of Lovelace",
        hashed_password="$memory$" + "1" * 64,
        roles=frozenset({Role.USER, Role.ADMIN}),
        is_active=False,
        email_verified=True,
        last_login=later,
        updated_at=later,
        failed_login_attempts=3,
        locked_until=later + timedelta(minutes=5),
    )

    async with uow as tx:
        await tx.users.update(changed)
        await tx.commit()

    async with uow as tx:
        assert await tx.users.get(user.id) == changed
        assert await tx.users.by_email(Email.parse("new-address@example.org")) == changed
        assert await tx.users.by_email(user.email) is None
        assert await tx.users.by_username(Username.parse("NEW_NAME")) == changed


async def test_update_may_change_only_the_case_of_the_own_email_and_username(uow: UnitOfWork) -> None:
    user = a_user(email="ada@example.org", username="ada")
    await _stored(uow, user)
    changed = replace(user, email=Email.parse("Ada@Example.org"), username=Username.parse("Ada"))

    async with uow as tx:
        await tx.users.update(changed)
        await tx.commit()

    async with uow as tx:
        assert await tx.users.get(user.id) == changed


async def test_update_rejects_the_email_of_another_account(uow: UnitOfWork) -> None:
    ada, grace = a_user(email="ada@example.org"), a_user(email="grace@example.org")
    await _stored(uow, ada, grace)

    async with uow as tx:
        with pytest.raises(EmailTakenError):
            await tx.users.update(replace(grace, email=Email.parse("ADA@example.org")))


async def test_update_rejects_the_username_of_another_account(uow: UnitOfWork) -> None:
    ada, grace = a_user(username="ada"), a_user(username="grace")
    await _stored(uow, ada, grace)

    async with uow as tx:
        with pytest.raises(UsernameTakenError):
            await tx.users.update(replace(grace, username=Username.parse("Ada")))


async def test_a_datetime_with_another_offset_comes_back_as_the_same_instant(uow: UnitOfWork) -> None:
    paris_time = NOW.astimezone(timezone(timedelta(hours=1)))
    user = a_user(created_at=paris_time, updated_at=paris_time)
    await _stored(uow, user)

    async with uow as tx:
        found = await tx.users.get(user.id)
    assert found is not None
    assert found.created_at == NOW
