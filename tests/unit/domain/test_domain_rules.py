"""Rules that live on the entities and policies: admin creation, self-lockout, stamping, lockout time, task edits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.account_values import Email, Username
from domain.accounts import Role, User
from domain.errors import SelfLockoutError, ValidationFailedError
from domain.paging import SEARCH_QUERY_MAX_LENGTH, parse_search_query
from domain.throttling import LockoutPolicy
from tests.builders import NOW, a_task, a_user

LATER = NOW + timedelta(hours=1)


def test_an_operator_created_admin_has_both_roles_and_a_verified_email() -> None:
    admin = User.register_admin(
        email=Email("root@example.org"), username=Username("root"), full_name=None, hashed_password="h", now=NOW
    )
    assert admin.roles == {Role.USER, Role.ADMIN}
    assert admin.email_verified
    assert (admin.created_at, admin.updated_at) == (NOW, NOW)


def test_a_self_registered_account_is_a_plain_user_with_an_unverified_email() -> None:
    user = User.register(
        email=Email("ada@example.org"), username=Username("ada"), full_name=None, hashed_password="h", now=NOW
    )
    assert (user.roles, user.email_verified) == ({Role.USER}, False)


@pytest.mark.parametrize(
    "changes", [{"is_active": False}, {"roles": frozenset({Role.USER})}], ids=["deactivate", "demote"]
)
def test_an_admin_cannot_lock_itself_out(changes: dict[str, object]) -> None:
    admin = a_user(roles=frozenset({Role.USER, Role.ADMIN}))
    arguments: dict[str, object] = {"is_active": None, "roles": None, "email_verified": None} | changes

    with pytest.raises(SelfLockoutError):
        admin.administer(actor_id=admin.id, now=LATER, **arguments)  # type: ignore[arg-type]

    assert admin.is_active
    assert Role.ADMIN in admin.roles
    assert admin.updated_at != LATER


def test_an_admin_may_deactivate_another_account_and_the_change_is_stamped() -> None:
    admin, user = a_user(roles=frozenset({Role.USER, Role.ADMIN})), a_user()

    changed = user.administer(actor_id=admin.id, is_active=False, roles=None, email_verified=None, now=LATER)

    assert changed == ["is_active"]
    assert (user.is_active, user.updated_at) == (False, LATER)


def test_a_profile_update_is_stamped() -> None:
    user = a_user()
    user.update_profile(username=Username("lovelace"), full_name="Ada", change_full_name=True, now=LATER)
    assert (user.username.value, user.full_name, user.updated_at) == ("lovelace", "Ada", LATER)


def test_the_lockout_starts_at_the_last_allowed_failure_and_lasts_its_duration() -> None:
    policy = LockoutPolicy(max_failures=3, duration=timedelta(minutes=30))
    assert policy.locked_until(2, NOW) is None
    assert policy.locked_until(3, NOW) == NOW + timedelta(minutes=30)
    assert policy.locked_until(7, NOW) == NOW + timedelta(minutes=30)


def test_a_task_edit_that_changes_nothing_leaves_updated_at_alone() -> None:
    task = a_task(a_user())
    before = task.copy()

    changed = task.edit(title=task.title, description=None, change_description=False, completed=None, now=LATER)

    assert not changed
    assert task == before


def test_a_task_edit_changes_only_what_is_given_and_stamps_it() -> None:
    task = a_task(a_user(), description="keep me")

    changed = task.edit(title="New title", description=None, change_description=False, completed=True, now=LATER)

    assert changed
    assert (task.title, task.description, task.completed, task.updated_at) == ("New title", "keep me", True, LATER)


def test_a_task_edit_may_clear_the_description() -> None:
    task = a_task(a_user(), description="drop me")
    assert task.edit(title=None, description=None, change_description=True, completed=None, now=LATER)
    assert task.description is None


@pytest.mark.parametrize("raw", ["a\x00b", "\x00", "ada\nbob", "x\x1by", "\x7f", "\ud800"])
def test_a_search_query_with_control_characters_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailedError) as refused:
        parse_search_query(raw)
    assert [error.field for error in refused.value.errors] == ["q"]


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), ("  ", None), (" Ada ", "Ada")])
def test_a_search_query_is_trimmed_and_empty_means_none(raw: str | None, expected: str | None) -> None:
    assert parse_search_query(raw) == expected


def test_a_search_query_is_cut_to_its_maximum_length() -> None:
    assert parse_search_query("x" * 1000) == "x" * SEARCH_QUERY_MAX_LENGTH
