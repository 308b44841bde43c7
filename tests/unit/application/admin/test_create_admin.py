"""CreateAdmin: an operator creates an administrator account."""

from __future__ import annotations

import pytest

from application.admin.create_admin import CreateAdmin
from domain.accounts import Role
from domain.errors import EmailTakenError, UsernameTakenError, ValidationFailedError
from domain.passwords import COMMON_PASSWORD
from tests.unit.application.conftest import PASSWORD, Harness


def _command(email: str = "root@example.org", username: str = "root", password: str = PASSWORD) -> CreateAdmin:
    return CreateAdmin(email=email, username=username, password=password)


async def test_an_admin_has_the_admin_and_user_roles(harness: Harness) -> None:
    admin = await harness.create_admin.handle(_command())

    assert admin.roles == frozenset({Role.USER, Role.ADMIN})
    assert admin.is_superuser


async def test_an_admin_email_counts_as_verified(harness: Harness) -> None:
    admin = await harness.create_admin.handle(_command())

    assert admin.email_verified


async def test_an_admin_is_stored_with_its_roles_and_verified_email(harness: Harness) -> None:
    admin = await harness.create_admin.handle(_command())

    stored = harness.stored_user(admin.id)
    assert (stored.roles, stored.email_verified, stored.is_active) == (frozenset({Role.USER, Role.ADMIN}), True, True)


async def test_an_admin_goes_through_the_same_validation_as_a_registration(harness: Harness) -> None:
    with pytest.raises(ValidationFailedError) as caught:
        await harness.create_admin.handle(_command(email="bad", username="x", password="weak"))

    assert {error.field for error in caught.value.errors} == {"email", "username", "password"}
    assert harness.store.users == {}


@pytest.mark.parametrize("password", ["Password123!", "Passw0rd!", "Qwerty123!", "Welcome1!"])
async def test_an_admin_cannot_have_a_common_password(harness: Harness, password: str) -> None:
    with pytest.raises(ValidationFailedError) as caught:
        await harness.create_admin.handle(_command(password=password))

    assert [(error.field, error.message) for error in caught.value.errors] == [("password", COMMON_PASSWORD)]
    assert harness.store.users == {}


async def test_an_admin_cannot_take_an_email_already_registered(harness: Harness) -> None:
    await harness.a_user(email="root@example.org", username="someone")

    with pytest.raises(EmailTakenError):
        await harness.create_admin.handle(_command(email="ROOT@example.org"))


async def test_an_admin_cannot_take_a_username_already_registered(harness: Harness) -> None:
    await harness.a_user(email="someone@example.org", username="root")

    with pytest.raises(UsernameTakenError):
        await harness.create_admin.handle(_command(username="ROOT"))


async def test_an_admin_logs_in_with_the_admin_role_in_the_access_token(harness: Harness) -> None:
    await harness.create_admin.handle(_command())

    login = await harness.logged_in("root@example.org")

    assert (await harness.principal(login)).roles == ("admin", "user")


async def test_registering_after_an_admin_still_gives_a_plain_user(harness: Harness) -> None:
    await harness.create_admin.handle(_command())

    user = await harness.a_user()

    assert user.roles == frozenset({Role.USER})
    assert not user.email_verified
