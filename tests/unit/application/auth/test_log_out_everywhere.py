"""LogOutEverywhere: end every session of the caller."""

from __future__ import annotations

import pytest

from application.auth.log_out import LogOut
from application.auth.log_out_everywhere import LogOutEverywhere
from application.auth.refresh_session import RefreshSession
from domain.errors import TokenInvalidError
from tests.unit.application.conftest import Harness


async def test_every_session_of_the_user_is_revoked(harness: Harness) -> None:
    user = await harness.a_user()
    logins = [await harness.logged_in() for _ in range(3)]

    await harness.log_out_everywhere.handle(LogOutEverywhere(user_id=user.id))

    assert all(harness.session_of(login).revoked_at == harness.clock.now() for login in logins)


async def test_the_ids_of_the_revoked_sessions_are_returned(harness: Harness) -> None:
    user = await harness.a_user()
    logins = [await harness.logged_in() for _ in range(3)]

    revoked = await harness.log_out_everywhere.handle(LogOutEverywhere(user_id=user.id))

    assert sorted(revoked) == sorted(harness.session_of(login).id for login in logins)


async def test_sessions_revoked_earlier_are_not_returned_again(harness: Harness) -> None:
    user = await harness.a_user()
    ended = await harness.logged_in()
    kept = await harness.logged_in()
    await harness.log_out.handle(LogOut(refresh_token=ended.refresh_token))

    revoked = await harness.log_out_everywhere.handle(LogOutEverywhere(user_id=user.id))

    assert revoked == [harness.session_of(kept).id]


async def test_a_user_without_sessions_gets_an_empty_list(harness: Harness) -> None:
    user = await harness.a_user()

    assert await harness.log_out_everywhere.handle(LogOutEverywhere(user_id=user.id)) == []


async def test_every_access_token_of_the_user_stops_working(harness: Harness) -> None:
    user = await harness.a_user()
    logins = [await harness.logged_in() for _ in range(2)]

    await harness.log_out_everywhere.handle(LogOutEverywhere(user_id=user.id))

    for login in logins:
        with pytest.raises(TokenInvalidError):
            await harness.principal(login)


async def test_every_refresh_token_of_the_user_stops_working(harness: Harness) -> None:
    user = await harness.a_user()
    logins = [await harness.logged_in() for _ in range(2)]

    await harness.log_out_everywhere.handle(LogOutEverywhere(user_id=user.id))

    for login in logins:
        with pytest.raises(TokenInvalidError):
            await harness.refresh.handle(RefreshSession(refresh_token=login.refresh_token))


async def test_the_sessions_of_other_users_are_untouched(harness: Harness) -> None:
    ada = await harness.a_user(email="ada@example.org", username="ada")
    await harness.a_user(email="grace@example.org", username="grace")
    await harness.logged_in("ada@example.org")
    grace_login = await harness.logged_in("grace@example.org")

    await harness.log_out_everywhere.handle(LogOutEverywhere(user_id=ada.id))

    assert harness.session_of(grace_login).revoked_at is None
    assert await harness.principal(grace_login)
