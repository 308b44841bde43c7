"""RegisterUser: create an account."""

from __future__ import annotations

import dataclasses

import pytest

from application.auth.register_user import RegisterUser
from domain.accounts import Role
from domain.errors import EmailTakenError, UsernameTakenError, ValidationFailedError
from domain.passwords import COMMON_PASSWORD, PasswordPolicy
from tests.unit.application.conftest import PASSWORD, Harness


def _command(**overrides: str | None) -> RegisterUser:
    fields: dict[str, str | None] = {
        "email": "ada@example.org",
        "username": "ada",
        "password": PASSWORD,
        "full_name": None,
        **overrides,
    }
    return RegisterUser(**fields)  # type: ignore[arg-type]


async def test_a_new_account_keeps_the_given_email_username_and_trimmed_full_name(harness: Harness) -> None:
    user = await harness.register.handle(
        _command(email=" Ada@Example.org ", username="Ada_L", full_name="  Ada Lovelace ")
    )

    assert (str(user.email), str(user.username), user.full_name) == ("Ada@Example.org", "Ada_L", "Ada Lovelace")


async def test_a_new_account_is_an_active_unverified_user(harness: Harness) -> None:
    user = await harness.register.handle(_command())

    assert (user.roles, user.is_active, user.email_verified, user.is_superuser) == (
        frozenset({Role.USER}),
        True,
        False,
        False,
    )


async def test_a_new_account_is_created_at_the_clock_time(harness: Harness) -> None:
    user = await harness.register.handle(_command())

    assert user.created_at == user.updated_at == harness.clock.now()
    assert user.last_login is None


async def test_a_new_account_is_stored_as_returned(harness: Harness) -> None:
    user = await harness.register.handle(_command())

    assert harness.stored_user(user.id) == user


async def test_the_password_is_stored_only_as_a_hash_that_verifies(harness: Harness) -> None:
    user = await harness.register.handle(_command())
    stored = harness.stored_user(user.id)

    assert PASSWORD not in stored.hashed_password
    assert (await harness.hasher.verify(PASSWORD, stored.hashed_password)).ok


def test_the_command_has_no_field_that_could_grant_roles_or_status() -> None:
    names = {field.name for field in dataclasses.fields(RegisterUser)}

    assert names == {"email", "username", "password", "full_name", "context"}


@pytest.mark.parametrize("field", ["roles", "is_superuser", "is_active", "email_verified"])
def test_privileged_fields_cannot_be_passed_to_registration(field: str) -> None:
    with pytest.raises(TypeError):
        RegisterUser(email="ada@example.org", username="ada", password=PASSWORD, **{field: True})  # type: ignore[arg-type]


async def test_an_email_taken_in_another_case_is_refused(harness: Harness) -> None:
    await harness.register.handle(_command(email="ada@example.org", username="ada"))

    with pytest.raises(EmailTakenError):
        await harness.register.handle(_command(email="ADA@Example.ORG", username="someone_else"))


async def test_a_username_taken_in_another_case_is_refused(harness: Harness) -> None:
    await harness.register.handle(_command(email="ada@example.org", username="ada_l"))

    with pytest.raises(UsernameTakenError):
        await harness.register.handle(_command(email="other@example.org", username="ADA_L"))


async def test_a_refused_duplicate_stores_nothing(harness: Harness) -> None:
    first = await harness.register.handle(_command())

    with pytest.raises(EmailTakenError):
        await harness.register.handle(_command(username="other"))

    assert list(harness.store.users) == [first.id]


async def test_every_broken_rule_of_every_field_is_reported_at_once(harness: Harness) -> None:
    command = _command(email="not-an-email", username="x", password="weak", full_name="Ada\x00")

    with pytest.raises(ValidationFailedError) as caught:
        await harness.register.handle(command)

    fields = [error.field for error in caught.value.errors]
    assert set(fields) == {"email", "username", "full_name", "password"}
    # "weak" breaks four rules of the policy and is on the list of common passwords too.
    assert fields.count("password") == len(PasswordPolicy().violations("weak")) + 1
    assert COMMON_PASSWORD in [error.message for error in caught.value.errors]


async def test_each_broken_password_rule_gets_its_own_error(harness: Harness) -> None:
    with pytest.raises(ValidationFailedError) as caught:
        await harness.register.handle(_command(password=""))

    messages = [error.message for error in caught.value.errors if error.field == "password"]
    assert messages == PasswordPolicy().violations("")


async def test_a_refused_registration_stores_nothing(harness: Harness) -> None:
    with pytest.raises(ValidationFailedError):
        await harness.register.handle(_command(email="bad", password="weak"))

    assert harness.store.users == {}
    assert harness.store.commits == 0


async def test_a_full_name_is_optional(harness: Harness) -> None:
    user = await harness.register.handle(_command(full_name=None))

    assert user.full_name is None


async def test_two_different_accounts_can_register(harness: Harness) -> None:
    await harness.register.handle(_command(email="ada@example.org", username="ada"))
    await harness.register.handle(_command(email="grace@example.org", username="grace"))

    assert len(harness.store.users) == 2
