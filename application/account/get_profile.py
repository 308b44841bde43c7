"""GetProfile: the caller's own account."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import ReadOnlyUnitOfWork
from domain.accounts import User
from domain.errors import TokenInvalidError
from domain.ids import UserId
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class GetProfile:
    user_id: UserId


@dataclass(frozen=True, slots=True)
class Profile:
    user: User
    account_age_days: int
    task_count: int
    completed_task_count: int


class GetProfileHandler:
    """The caller's account with its age in whole days and how many tasks it has (and has completed).

    - An account that no longer exists or was deactivated makes the caller's token invalid.
    """

    def __init__(self, reader: ReadOnlyUnitOfWork, clock: Clock) -> None:
        self._reader, self._clock = reader, clock

    async def handle(self, command: GetProfile) -> Profile:
        async with self._reader as view:
            overview = await view.overviews.get(command.user_id)
        if overview is None or not overview.user.is_active:
            raise TokenInvalidError
        return Profile(
            user=overview.user,
            account_age_days=overview.user.account_age_days(self._clock.now()),
            task_count=overview.task_count,
            completed_task_count=overview.completed_task_count,
        )
