"""ListSessions: the caller's active sessions, newest first, the calling one marked."""

from __future__ import annotations

from datetime import timedelta

from application.auth.list_sessions import ListSessions
from application.auth.log_out import LogOut
from domain.ids import SessionId, UserId
from tests.unit.application.conftest import REFRESH_TTL, Harness


def _listing(user_id: UserId, current: SessionId) -> ListSessions:
    return ListSessions(user_id=user_id, current_session_id=current)


async def test_the_sessions_are_listed_newest_first(harness: Harness) -> None:
    user = await harness.a_user()
    logins = []
    for _ in range(3):
        logins.append(await harness.logged_in())
        harness.clock.advance(timedelta(minutes=1))

    views = await harness.list_sessions.handle(_listing(user.id, harness.session_of(logins[0]).id))

    assert [view.session.id for view in views] == [harness.session_of(login).id for login in reversed(logins)]


async def test_only_the_calling_session_is_marked_current(harness: Harness) -> None:
    user = await harness.a_user()
    first = await harness.logged_in()
    harness.clock.advance(timedelta(minutes=1))
    await harness.logged_in()

    views = await harness.list_sessions.handle(_listing(user.id, harness.session_of(first).id))

    assert [(view.session.id, view.current) for view in views if view.current] == [(harness.session_of(first).id, True)]
    assert sum(view.current for view in views) == 1


async def test_revoked_sessions_are_not_listed(harness: Harness) -> None:
    user = await harness.a_user()
    ended = await harness.logged_in()
    kept = await harness.logged_in()
    await harness.log_out.handle(LogOut(refresh_token=ended.refresh_token))

    views = await harness.list_sessions.handle(_listing(user.id, harness.session_of(kept).id))

    assert [view.session.id for view in views] == [harness.session_of(kept).id]


async def test_expired_sessions_are_not_listed(harness: Harness) -> None:
    user = await harness.a_user()
    old = await harness.logged_in()
    harness.clock.advance(REFRESH_TTL)

    views = await harness.list_sessions.handle(_listing(user.id, harness.session_of(old).id))

    assert views == []


async def test_the_sessions_of_other_users_are_not_listed(harness: Harness) -> None:
    ada = await harness.a_user(email="ada@example.org", username="ada")
    await harness.a_user(email="grace@example.org", username="grace")
    ada_login = await harness.logged_in("ada@example.org")
    await harness.logged_in("grace@example.org")

    views = await harness.list_sessions.handle(_listing(ada.id, harness.session_of(ada_login).id))

    assert [view.session.user_id for view in views] == [ada.id]


async def test_a_listed_session_shows_where_it_was_opened(harness: Harness) -> None:
    user = await harness.a_user()
    login = await harness.logged_in(ip="198.51.100.4", user_agent="curl/8.5")

    (view,) = await harness.list_sessions.handle(_listing(user.id, harness.session_of(login).id))

    assert (view.session.ip, view.session.user_agent, view.session.created_at) == (
        "198.51.100.4",
        "curl/8.5",
        harness.clock.now(),
    )
