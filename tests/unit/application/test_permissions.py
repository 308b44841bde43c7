"""One authorisation rule for every protected use case: gone or deactivated is 401, lacking permission 403."""

from __future__ import annotations

import pytest

from application.admin.create_admin import CreateAdmin
from application.admin.list_users import ListUsers
from application.tasks.list_tasks import ListTasks
from domain.errors import PermissionDeniedError, TokenInvalidError
from domain.ids import UserId
from tests.unit.application.conftest import PASSWORD, Harness


async def test_a_deactivated_admin_is_no_longer_anyone_on_admin_use_cases(harness: Harness) -> None:
    admin = await harness.create_admin.handle(CreateAdmin(email="root@example.org", username="root", password=PASSWORD))
    harness.deactivate(admin.id)

    with pytest.raises(TokenInvalidError):
        await harness.use_cases.list_users().handle(ListUsers(actor_id=admin.id))


async def test_a_deactivated_user_is_no_longer_anyone_on_task_use_cases(harness: Harness) -> None:
    user = await harness.a_user()
    harness.deactivate(user.id)

    with pytest.raises(TokenInvalidError):
        await harness.use_cases.list_tasks().handle(ListTasks(user_id=user.id))


async def test_an_account_that_no_longer_exists_is_no_longer_anyone(harness: Harness) -> None:
    with pytest.raises(TokenInvalidError):
        await harness.use_cases.list_users().handle(ListUsers(actor_id=UserId("gone")))
    with pytest.raises(TokenInvalidError):
        await harness.use_cases.list_tasks().handle(ListTasks(user_id=UserId("gone")))


async def test_an_active_account_without_the_permission_is_refused(harness: Harness) -> None:
    user = await harness.a_user()

    with pytest.raises(PermissionDeniedError):
        await harness.use_cases.list_users().handle(ListUsers(actor_id=user.id))


async def test_an_operator_without_an_account_may_do_everything(harness: Harness) -> None:
    page = await harness.use_cases.list_users().handle(ListUsers(actor_id=None))

    assert page.total == 0
