"""GetProfile: the caller's own account and its age."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.account.get_profile import GetProfile
from domain.errors import TokenInvalidError
from domain.ids import UserId
from tests.unit.application.conftest import Harness


async def test_the_profile_is_the_callers_account(harness: Harness) -> None:
    user = await harness.a_user(full_name="Ada Lovelace")

    profile = await harness.get_profile.handle(GetProfile(user_id=user.id))

    assert profile.user == user


async def test_a_new_account_is_zero_days_old(harness: Harness) -> None:
    user = await harness.a_user()

    profile = await harness.get_profile.handle(GetProfile(user_id=user.id))

    assert profile.account_age_days == 0


async def test_the_account_age_follows_the_clock(harness: Harness) -> None:
    user = await harness.a_user()
    harness.clock.advance(timedelta(days=3, hours=23))

    profile = await harness.get_profile.handle(GetProfile(user_id=user.id))

    assert profile.account_age_days == 3


async def test_the_profile_shows_the_last_login(harness: Harness) -> None:
    user = await harness.a_user()
    harness.clock.advance(timedelta(hours=1))
    await harness.logged_in()

    profile = await harness.get_profile.handle(GetProfile(user_id=user.id))

    assert profile.user.last_login == harness.clock.now()


async def test_a_missing_account_makes_the_token_invalid(harness: Harness) -> None:
    with pytest.raises(TokenInvalidError):
        await harness.get_profile.handle(GetProfile(user_id=UserId("no-such-user")))


async def test_a_deactivated_account_makes_the_token_invalid(harness: Harness) -> None:
    user = await harness.a_user()
    harness.deactivate(user.id)

    with pytest.raises(TokenInvalidError):
        await harness.get_profile.handle(GetProfile(user_id=user.id))
