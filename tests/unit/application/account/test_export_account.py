"""ExportAccount pages through everything, however many tasks and events an account has."""

from __future__ import annotations

import pytest

from application.account.export_account import ExportAccount
from application.tasks.create_task import CreateTask
from domain.errors import TokenInvalidError
from tests.unit.application.conftest import Harness


async def test_an_account_with_more_than_a_page_of_everything_is_exported_whole(harness: Harness) -> None:
    user = await harness.a_user()
    for number in range(230):
        await harness.use_cases.create_task().handle(CreateTask(user_id=user.id, title=f"Task {number}"))
    for _ in range(3):
        await harness.logged_in()

    export = await harness.use_cases.export_account().handle(ExportAccount(user_id=user.id))

    assert len(export.tasks) == 230
    assert len({task.id for task in export.tasks}) == 230
    assert len(export.sessions) == 3
    assert export.user.id == user.id


async def test_a_deactivated_account_cannot_export(harness: Harness) -> None:
    user = await harness.a_user()
    harness.deactivate(user.id)

    with pytest.raises(TokenInvalidError):
        await harness.use_cases.export_account().handle(ExportAccount(user_id=user.id))
