"""EndSession: revoke one of the caller's sessions."""

from __future__ import annotations

import pytest

from application.auth.end_session import EndSession
from application.auth.log_out import LogOut
from application.auth.refresh_session import RefreshSession
from domain.errors import SessionNotFoundError, TokenInvalidError
from tests.unit.application.conftest import REFRESH_TTL, Harness


async def test_a_user_can_end_one_of_their_sessions(harness: Harness) -> None:
    user = await harness.a_user()
    login = await harness.logged_in()

    await harness.end_session.handle(EndSession(user_id=user.id, session_id=harness.session_of(login).id))

    assert harness.session_of(login).revoked_at == harness.clock.now()


async def test_an_ended_session_can_no_longer_refresh_or_authenticate(harness: Harness) -> None:
    user = await harness.a_user()
    login = await harness.logged_in()

    await harness.end_session.handle(EndSession(user_id=user.id, session_id=harness.session_of(login).id))

    with pytest.raises(TokenInvalidError):
        await harness.refresh.handle(RefreshSession(refresh_token=login.refresh_token))
    with pytest.raises(TokenInvalidError):
        await harness.principal(login)


async def test_ending_one_session_leaves_the_others_alone(harness: Harness) -> None:
    user = await harness.a_user()
    ended = await harness.logged_in()
    kept = await harness.logged_in()

    await harness.end_session.handle(EndSession(user_id=user.id, session_id=harness.session_of(ended).id))

    assert harness.session_of(kept).revoked_at is None


async def test_another_users_session_is_not_found_and_stays_active(harness: Harness) -> None:
    await harness.a_user(email="ada@example.org", username="ada")
    mallory = await harness.a_user(email="mallory@example.org", username="mallory")
    ada_login = await harness.logged_in("ada@example.org")

    with pytest.raises(SessionNotFoundError):
        await harness.end_session.handle(EndSession(user_id=mallory.id, session_id=harness.session_of(ada_login).id))

    assert harness.session_of(ada_login).revoked_at is None


async def test_an_unknown_session_is_not_found(harness: Harness) -> None:
    user = await harness.a_user()

    with pytest.raises(SessionNotFoundError):
        await harness.end_session.handle(EndSession(user_id=user.id, session_id="no-such-session"))


async def test_an_already_revoked_session_is_not_found(harness: Harness) -> None:
    user = await harness.a_user()
    login = await harness.logged_in()
    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))

    with pytest.raises(SessionNotFoundError):
        await harness.end_session.handle(EndSession(user_id=user.id, session_id=harness.session_of(login).id))


async def test_an_expired_session_is_not_found(harness: Harness) -> None:
    user = await harness.a_user()
    login = await harness.logged_in()
    harness.clock.advance(REFRESH_TTL)

    with pytest.raises(SessionNotFoundError):
        await harness.end_session.handle(EndSession(user_id=user.id, session_id=harness.session_of(login).id))
