"""User: registration defaults, roles, login bookkeeping and account age."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.accounts import Role, User
from tests.unit.domain.conftest import NOW, a_user


def test_a_new_account_has_only_the_user_role() -> None:
    assert a_user().roles == frozenset({Role.USER})


def test_a_new_account_is_active() -> None:
    assert a_user().is_active


def test_a_new_account_has_an_unverified_email() -> None:
    assert not a_user().email_verified


def test_a_new_account_has_never_logged_in_nor_failed_to() -> None:
    user = a_user()

    assert (user.last_login, user.failed_login_attempts, user.locked_until) == (None, 0, None)


def test_a_new_account_is_created_and_updated_now() -> None:
    user = a_user(now=NOW)

    assert user.created_at == user.updated_at == NOW


def test_new_accounts_get_distinct_ids() -> None:
    assert a_user().id != a_user().id


def test_a_new_account_keeps_its_inputs() -> None:
    user = a_user(email="Ada@Example.org", username="Ada_L", full_name="Ada", hashed_password="$memory$h")

    assert (str(user.email), str(user.username), user.full_name, user.hashed_password) == (
        "Ada@Example.org",
        "Ada_L",
        "Ada",
        "$memory$h",
    )


@pytest.mark.parametrize(
    ("roles", "superuser"),
    [
        pytest.param(frozenset({Role.USER}), False, id="user"),
        pytest.param(frozenset(), False, id="no-roles"),
        pytest.param(frozenset({Role.ADMIN}), True, id="admin"),
        pytest.param(frozenset({Role.USER, Role.ADMIN}), True, id="user-and-admin"),
    ],
)
def test_an_account_is_superuser_exactly_when_it_has_the_admin_role(roles: frozenset[Role], superuser: bool) -> None:
    user = a_user()
    user.roles = roles

    assert user.is_superuser is superuser


def _failed_user() -> User:
    user = a_user()
    user.failed_login_attempts = 4
    user.locked_until = NOW + timedelta(minutes=30)
    return user


def test_a_login_resets_the_failure_count_and_the_lock() -> None:
    user = _failed_user()

    user.record_login(NOW + timedelta(hours=1), None)

    assert (user.failed_login_attempts, user.locked_until) == (0, None)


def test_a_login_stamps_the_last_login_and_the_update_time() -> None:
    user = a_user()
    later = NOW + timedelta(hours=1)

    user.record_login(later, None)

    assert user.last_login == user.updated_at == later


def test_a_login_with_an_upgraded_hash_stores_it() -> None:
    user = a_user(hashed_password="$memory-old$abc")

    user.record_login(NOW, "$memory$def")

    assert user.hashed_password == "$memory$def"


def test_a_login_without_an_upgraded_hash_keeps_the_stored_one() -> None:
    user = a_user(hashed_password="$memory$abc")

    user.record_login(NOW, None)

    assert user.hashed_password == "$memory$abc"


@pytest.mark.parametrize(
    ("age", "days"),
    [
        pytest.param(timedelta(0), 0, id="now"),
        pytest.param(timedelta(hours=23, minutes=59), 0, id="almost-a-day"),
        pytest.param(timedelta(days=1), 1, id="one-day"),
        pytest.param(timedelta(days=30, hours=12), 30, id="thirty-and-a-half-days"),
    ],
)
def test_the_account_age_counts_whole_days_since_creation(age: timedelta, days: int) -> None:
    assert a_user(now=NOW).account_age_days(NOW + age) == days


def test_the_account_age_is_never_negative() -> None:
    assert a_user(now=NOW).account_age_days(NOW - timedelta(days=2)) == 0


def test_a_copy_can_change_without_changing_the_original() -> None:
    user = a_user()
    copy = user.copy()

    copy.record_login(NOW + timedelta(days=1), "$memory$new")

    assert (user.last_login, user.hashed_password) == (None, "$memory$not-a-real-hash")


@pytest.mark.parametrize("value", ["", "a\x00b", "\ud800", "x" * 65, "caf\u00e9", "a b\n"])
def test_implausible_ids_are_recognised(value: str) -> None:
    from domain.ids import is_plausible_id

    assert not is_plausible_id(value)


def test_a_uuid_is_a_plausible_id() -> None:
    from domain.ids import is_plausible_id, new_user_id

    assert is_plausible_id(new_user_id())
