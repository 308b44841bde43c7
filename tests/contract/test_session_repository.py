"""Contract of SessionRepository: one test per sentence of its docstrings, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.sessions import Session
from tests.builders import NOW, a_session, a_user


async def _stored(uow: UnitOfWork, user: User, *sessions: Session) -> None:
    async with uow as tx:
        if await tx.users.get(user.id) is None:
            await tx.users.add(user)
        for session in sessions:
            await tx.sessions.add(session)
        await tx.commit()


async def test_added_session_comes_back_field_for_field(uow: UnitOfWork) -> None:
    user = a_user()
    session = a_session(user, last_used_at=NOW + timedelta(seconds=1, microseconds=5), user_agent="Firefox/140")
    await _stored(uow, user, session)

    async with uow as tx:
        assert await tx.sessions.get(session.id) == session


async def test_session_without_ip_or_user_agent_comes_back_without_them(uow: UnitOfWork) -> None:
    user = a_user()
    session = a_session(user, ip=None, user_agent=None)
    await _stored(uow, user, session)

    async with uow as tx:
        assert await tx.sessions.get(session.id) == session


async def test_get_returns_a_revoked_session_too(uow: UnitOfWork) -> None:
    user = a_user()
    session = a_session(user)
    await _stored(uow, user, session)
    async with uow as tx:
        await tx.sessions.revoke(session.id, NOW)
        await tx.commit()

    async with uow as tx:
        assert await tx.sessions.get(session.id) == replace(session, revoked_at=NOW)


async def test_get_returns_none_for_an_unknown_id(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user, a_session(user))

    async with uow as tx:
        assert await tx.sessions.get(a_session(user).id) is None


async def test_all_for_user_lists_every_session_of_the_user_newest_first(uow: UnitOfWork) -> None:
    ada, grace = a_user(), a_user()
    old = a_session(ada, created_at=NOW - timedelta(hours=2), expires_at=NOW - timedelta(hours=1))
    revoked, live = a_session(ada, created_at=NOW - timedelta(hours=1)), a_session(ada, created_at=NOW)
    await _stored(uow, ada, old, revoked, live)
    await _stored(uow, grace, a_session(grace))
    async with uow as tx:
        await tx.sessions.revoke(revoked.id, NOW)
        await tx.commit()
    async with uow as tx:
        assert await tx.sessions.all_for_user(ada.id) == [live, replace(revoked, revoked_at=NOW), old]


async def test_active_for_user_leaves_out_revoked_sessions(uow: UnitOfWork) -> None:
    user = a_user()
    kept, revoked = a_session(user), a_session(user)
    await _stored(uow, user, kept, revoked)
    async with uow as tx:
        await tx.sessions.revoke(revoked.id, NOW)
        await tx.commit()

    async with uow as tx:
        assert await tx.sessions.active_for_user(user.id, NOW) == [kept]


async def test_active_for_user_leaves_out_sessions_expired_at_now(uow: UnitOfWork) -> None:
    user = a_user()
    now = NOW + timedelta(hours=1)
    live = a_session(user, expires_at=now + timedelta(microseconds=1))
    ending_now = a_session(user, expires_at=now)
    expired = a_session(user, expires_at=now - timedelta(seconds=1))
    await _stored(uow, user, live, ending_now, expired)

    async with uow as tx:
        assert await tx.sessions.active_for_user(user.id, now) == [live]


async def test_active_for_user_leaves_out_other_users_sessions(uow: UnitOfWork) -> None:
    ada, grace = a_user(), a_user()
    mine = a_session(ada)
    await _stored(uow, ada, mine)
    await _stored(uow, grace, a_session(grace))

    async with uow as tx:
        assert await tx.sessions.active_for_user(ada.id, NOW) == [mine]


async def test_active_for_user_lists_newest_first(uow: UnitOfWork) -> None:
    user = a_user()
    oldest = a_session(user, created_at=NOW - timedelta(hours=2))
    newest = a_session(user, created_at=NOW)
    middle = a_session(user, created_at=NOW - timedelta(hours=1))
    await _stored(uow, user, oldest, newest, middle)

    async with uow as tx:
        assert await tx.sessions.active_for_user(user.id, NOW) == [newest, middle, oldest]


async def test_active_for_user_is_empty_for_a_user_without_sessions(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user)

    async with uow as tx:
        assert await tx.sessions.active_for_user(user.id, NOW) == []


async def test_revoke_returns_true_for_an_active_session_and_stamps_it(uow: UnitOfWork) -> None:
    user = a_user()
    session = a_session(user)
    await _stored(uow, user, session)
    now = NOW + timedelta(minutes=5)

    async with uow as tx:
        assert await tx.sessions.revoke(session.id, now) is True
        await tx.commit()

    async with uow as tx:
        found = await tx.sessions.get(session.id)
        assert found is not None
        assert found.revoked_at == now
        assert await tx.sessions.active_for_user(user.id, now) == []


async def test_revoking_twice_changes_nothing(uow: UnitOfWork) -> None:
    user = a_user()
    session = a_session(user)
    await _stored(uow, user, session)
    async with uow as tx:
        await tx.sessions.revoke(session.id, NOW)
        await tx.commit()

    async with uow as tx:
        assert await tx.sessions.revoke(session.id, NOW + timedelta(hours=1)) is False
        await tx.commit()

    async with uow as tx:
        assert await tx.sessions.get(session.id) == replace(session, revoked_at=NOW)


async def test_revoke_returns_false_for_an_unknown_session(uow: UnitOfWork) -> None:
    user = a_user()
    await _stored(uow, user)

    async with uow as tx:
        assert await tx.sessions.revoke(a_session(user).id, NOW) is False


async def test_revoke_all_for_user_revokes_every_active_session(uow: UnitOfWork) -> None:
    user = a_user()
    first, second = a_session(user), a_session(user)
    await _stored(uow, user, first, second)
    now = NOW + timedelta(minutes=1)

    async with uow as tx:
        revoked = await tx.sessions.revoke_all_for_user(user.id, now)
        await tx.commit()

    assert sorted(revoked) == sorted([first.id, second.id])
    async with uow as tx:
        assert await tx.sessions.active_for_user(user.id, now) == []
        for session in (first, second):
            assert await tx.sessions.get(session.id) == replace(session, revoked_at=now)


async def test_revoke_all_for_user_returns_only_the_sessions_this_call_revoked(uow: UnitOfWork) -> None:
    user = a_user()
    already, still_active = a_session(user), a_session(user)
    await _stored(uow, user, already, still_active)
    async with uow as tx:
        await tx.sessions.revoke(already.id, NOW)
        await tx.commit()

    async with uow as tx:
        assert await tx.sessions.revoke_all_for_user(user.id, NOW + timedelta(minutes=1)) == [still_active.id]
        await tx.commit()

    async with uow as tx:
        assert await tx.sessions.revoke_all_for_user(user.id, NOW + timedelta(minutes=2)) == []
        assert await tx.sessions.get(already.id) == replace(already, revoked_at=NOW)


async def test_revoke_all_for_user_leaves_other_users_sessions_alone(uow: UnitOfWork) -> None:
    ada, grace = a_user(), a_user()
    await _stored(uow, ada, a_session(ada))
    theirs = a_session(grace)
    await _stored(uow, grace, theirs)

    async with uow as tx:
        await tx.sessions.revoke_all_for_user(ada.id, NOW)
        await tx.commit()

    async with uow as tx:
        assert await tx.sessions.active_for_user(grace.id, NOW) == [theirs]


async def test_revoked_since_lists_the_sessions_revoked_at_or_after_the_moment(uow: UnitOfWork) -> None:
    user = a_user()
    early, on_time, late, live = (a_session(user) for _ in range(4))
    await _stored(uow, user, early, on_time, late, live)
    async with uow as tx:
        await tx.sessions.revoke(early.id, NOW - timedelta(minutes=20))
        await tx.sessions.revoke(on_time.id, NOW - timedelta(minutes=10))
        await tx.sessions.revoke(late.id, NOW)
        await tx.commit()

    async with uow as tx:
        assert sorted(await tx.sessions.revoked_since(NOW - timedelta(minutes=10))) == sorted([on_time.id, late.id])


async def test_revoke_all_for_user_can_keep_one_session(uow: UnitOfWork) -> None:
    user = a_user()
    kept, other = a_session(user), a_session(user)
    await _stored(uow, user, kept, other)
    async with uow as tx:
        assert await tx.sessions.revoke_all_for_user(user.id, NOW, keep=kept.id) == [other.id]
        await tx.commit()
    async with uow as tx:
        assert (await tx.sessions.get(kept.id)).revoked_at is None  # type: ignore[union-attr]
