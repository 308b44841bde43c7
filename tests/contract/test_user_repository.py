"""Contract of UserRepository: one test per sentence of its docstrings, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta, timezone

import pytest

from application.unit_of_work import UnitOfWork
from domain.account_values import Email, Username
from domain.accounts import Role, User
from domain.errors import EmailTakenError, UsernameTakenError
from domain.paging import Page
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


async def test_an_account_without_a_password_comes_back_without_one_until_it_sets_one(uow: UnitOfWork) -> None:
    user = a_user(hashed_password=None)
    await _stored(uow, user)

    async with uow as tx:
        assert await tx.users.get(user.id) == user
        with_password = replace(user, hashed_password="$memory$" + "2" * 64, updated_at=NOW + timedelta(days=1))
        await tx.users.update(with_password)
        await tx.commit()

    async with uow as tx:
        assert await tx.users.get(user.id) == with_password


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


async def _search_ids(uow: UnitOfWork, query: str | None, page: Page | None = None) -> list[str]:
    async with uow as tx:
        found, _ = await tx.users.search(query, page or Page(limit=100))
    return [user.id for user in found]


async def test_search_matches_part_of_the_email_ignoring_case(uow: UnitOfWork) -> None:
    ada = a_user(email="Ada.Lovelace@Example.org", username="countess")
    await _stored(uow, ada, a_user(email="grace@navy.example", username="admiral"))

    assert await _search_ids(uow, "LOVELACE@example.ORG") == [ada.id]
    assert await _search_ids(uow, "a.LOV") == [ada.id]


async def test_search_matches_part_of_the_username_ignoring_case(uow: UnitOfWork) -> None:
    grace = a_user(email="rear.admiral@navy.example", username="Hopper1906")
    await _stored(uow, grace, a_user(email="ada@example.org", username="countess"))

    assert await _search_ids(uow, "pPeR19") == [grace.id]


async def test_search_matches_the_email_or_the_username(uow: UnitOfWork) -> None:
    by_email = a_user(email="ada@example.org", username="countess", created_at=NOW)
    by_username = a_user(email="fan@example.org", username="ADA-fan", created_at=NOW + timedelta(seconds=1))
    await _stored(uow, by_email, by_username, a_user(email="grace@navy.example", username="admiral"))

    assert await _search_ids(uow, "Ada") == [by_email.id, by_username.id]


async def test_search_treats_like_wildcards_and_the_escape_character_literally(uow: UnitOfWork) -> None:
    underscore = a_user(email="a_b@example.org", username="first")
    any_char = a_user(email="axb@example.org", username="second")
    percent = a_user(email="100%@example.org", username="third")
    digits = a_user(email="1000@example.org", username="fourth")
    slash = a_user(email="a/b@example.org", username="fifth")
    plain = a_user(email="ab@example.org", username="sixth")
    await _stored(uow, underscore, any_char, percent, digits, slash, plain)

    assert await _search_ids(uow, "a_b") == [underscore.id]
    assert await _search_ids(uow, "_") == [underscore.id]
    assert await _search_ids(uow, "100%") == [percent.id]
    assert await _search_ids(uow, "%") == [percent.id]
    assert await _search_ids(uow, "a/b") == [slash.id]
    assert await _search_ids(uow, "/") == [slash.id]
    assert await _search_ids(uow, "\\") == []
    assert await _search_ids(uow, "a\\_b") == []
    assert await _search_ids(uow, "a/_b") == []


async def test_search_finding_nothing_returns_an_empty_page_and_zero(uow: UnitOfWork) -> None:
    await _stored(uow, a_user(email="ada@example.org", username="countess"))

    async with uow as tx:
        assert await tx.users.search("grace", Page()) == ([], 0)


async def test_search_without_a_query_lists_every_account(uow: UnitOfWork) -> None:
    users = [a_user(created_at=NOW + timedelta(minutes=minute)) for minute in range(3)]
    await _stored(uow, *users)

    async with uow as tx:
        found, total = await tx.users.search(None, Page())
    assert found == users
    assert total == 3


async def test_search_lists_oldest_first_with_ties_by_id(uow: UnitOfWork) -> None:
    oldest = a_user(created_at=NOW - timedelta(days=1))
    newest = a_user(created_at=NOW + timedelta(microseconds=1))
    tied = sorted([a_user(created_at=NOW) for _ in range(3)], key=lambda user: user.id)
    await _stored(uow, tied[1], newest, tied[0], oldest, tied[2])

    assert await _search_ids(uow, None) == [oldest.id, tied[0].id, tied[1].id, tied[2].id, newest.id]


async def test_search_returns_the_requested_page_and_the_count_of_all_matches(uow: UnitOfWork) -> None:
    matching = [
        a_user(
            email=f"member{number}@club.example", username=f"member{number}", created_at=NOW + timedelta(minutes=number)
        )
        for number in range(5)
    ]
    await _stored(uow, *matching, a_user(email="outsider@example.org", username="outsider"))
    oldest_first = [user.id for user in matching]

    async with uow as tx:
        first, first_total = await tx.users.search("CLUB", Page(limit=2, offset=0))
        middle, middle_total = await tx.users.search("CLUB", Page(limit=2, offset=2))
        last, last_total = await tx.users.search("CLUB", Page(limit=2, offset=4))
        beyond, beyond_total = await tx.users.search("CLUB", Page(limit=2, offset=10))

    assert [user.id for user in first] == oldest_first[0:2]
    assert [user.id for user in middle] == oldest_first[2:4]
    assert [user.id for user in last] == oldest_first[4:]
    assert beyond == []
    assert first_total == middle_total == last_total == beyond_total == 5


async def test_search_returns_accounts_field_for_field(uow: UnitOfWork) -> None:
    user = a_user(
        email="Ada@Example.org",
        username="Countess",
        roles=frozenset({Role.USER, Role.ADMIN}),
        failed_login_attempts=2,
        locked_until=NOW + timedelta(minutes=15),
    )
    await _stored(uow, user)

    async with uow as tx:
        assert await tx.users.search("countess", Page()) == ([user], 1)
