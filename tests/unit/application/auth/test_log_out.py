"""LogOut: end the session of a refresh token, and of the caller's access token."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.auth.log_out import LogOut
from application.auth.refresh_session import RefreshSession
from domain.errors import TokenInvalidError
from domain.ids import SessionId
from domain.opaque_tokens import OPAQUE_TOKEN_MAX_LENGTH
from domain.sessions import TokenPair
from tests.unit.application.conftest import Harness


async def _logged_in(harness: Harness) -> TokenPair:
    await harness.a_user()
    return await harness.logged_in()


async def test_logging_out_revokes_the_session_of_the_refresh_token(harness: Harness) -> None:
    login = await _logged_in(harness)
    harness.clock.advance(timedelta(minutes=3))

    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))

    assert harness.session_of(login).revoked_at == harness.clock.now()


async def test_after_logout_the_access_token_of_that_session_stops_working(harness: Harness) -> None:
    login = await _logged_in(harness)

    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))

    with pytest.raises(TokenInvalidError):
        await harness.principal(login)


async def test_logging_out_with_a_rotated_token_still_ends_the_session(harness: Harness) -> None:
    login = await _logged_in(harness)
    rotated = await harness.refresh.handle(RefreshSession(refresh_token=login.refresh_token))

    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))

    with pytest.raises(TokenInvalidError):
        await harness.refresh.handle(RefreshSession(refresh_token=rotated.refresh_token))


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("never-issued", id="unknown"),
        pytest.param("", id="empty"),
        pytest.param("x" * (OPAQUE_TOKEN_MAX_LENGTH + 1), id="over-long"),
    ],
)
async def test_logging_out_with_a_token_that_was_never_issued_is_not_an_error(harness: Harness, token: str) -> None:
    login = await _logged_in(harness)

    await harness.log_out.handle(LogOut(refresh_token=token))

    assert harness.session_of(login).revoked_at is None


async def test_logging_out_twice_keeps_the_first_revocation_time(harness: Harness) -> None:
    login = await _logged_in(harness)
    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))
    revoked_at = harness.session_of(login).revoked_at
    harness.clock.advance(timedelta(minutes=1))

    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))

    assert harness.session_of(login).revoked_at == revoked_at


async def test_logging_out_leaves_the_other_sessions_of_the_user_alone(harness: Harness) -> None:
    login = await _logged_in(harness)
    other = await harness.logged_in()

    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))

    assert harness.session_of(other).revoked_at is None
    assert await harness.principal(other)


async def test_logging_out_with_the_access_session_revokes_that_session_too(harness: Harness) -> None:
    first = await _logged_in(harness)
    second = await harness.logged_in()
    second_session = SessionId(harness.session_of(second).id)

    await harness.log_out.handle(LogOut(refresh_token=first.refresh_token, access_session_id=second_session))

    assert harness.session_of(first).revoked_at is not None
    assert harness.session_of(second).revoked_at is not None


async def test_the_access_session_is_revoked_even_with_an_unknown_refresh_token(harness: Harness) -> None:
    login = await _logged_in(harness)
    session_id = harness.session_of(login).id

    await harness.log_out.handle(LogOut(refresh_token="never-issued", access_session_id=session_id))

    with pytest.raises(TokenInvalidError):
        await harness.principal(login)


async def test_logging_out_with_an_unknown_access_session_is_not_an_error(harness: Harness) -> None:
    login = await _logged_in(harness)

    await harness.log_out.handle(
        LogOut(refresh_token=login.refresh_token, access_session_id=SessionId("no-such-session"))
    )

    assert harness.session_of(login).revoked_at is not None
