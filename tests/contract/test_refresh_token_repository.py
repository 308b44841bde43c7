"""Contract of RefreshTokenRepository: one test per sentence of its docstrings, on every backend."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from application.unit_of_work import UnitOfWork
from domain.ports.repositories import RefreshTokenLookup
from domain.sessions import RefreshToken, Session
from tests.builders import NOW, a_refresh_token, a_session, a_user


async def _a_stored_session(uow: UnitOfWork) -> Session:
    user = a_user()
    session = a_session(user)
    async with uow as tx:
        await tx.users.add(user)
        await tx.sessions.add(session)
        await tx.commit()
    return session


def _next(token: RefreshToken) -> RefreshToken:
    """A successor of `token`: same session and user, a new hash, issued a minute later."""
    return replace(
        token, token_hash=secrets.token_hex(32), issued_at=token.issued_at + timedelta(minutes=1), used_at=None
    )


async def _stored(uow: UnitOfWork, *tokens: RefreshToken) -> None:
    async with uow as tx:
        for token in tokens:
            await tx.refresh_tokens.add(token)
        await tx.commit()


async def test_added_token_comes_back_field_for_field(uow: UnitOfWork) -> None:
    token = a_refresh_token(await _a_stored_session(uow), issued_at=NOW + timedelta(microseconds=42))
    await _stored(uow, token)

    async with uow as tx:
        assert await tx.refresh_tokens.get(token.token_hash) == token


async def test_adding_a_stored_hash_again_changes_nothing(uow: UnitOfWork) -> None:
    session = await _a_stored_session(uow)
    token = a_refresh_token(session)
    await _stored(uow, token)
    impostor = replace(token, issued_at=NOW + timedelta(hours=1), expires_at=NOW + timedelta(days=30))

    async with uow as tx:
        await tx.refresh_tokens.add(impostor)
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.get(token.token_hash) == token


async def test_adding_a_used_hash_again_does_not_make_it_unused(uow: UnitOfWork) -> None:
    token = a_refresh_token(await _a_stored_session(uow))
    await _stored(uow, token)
    async with uow as tx:
        await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW)
        await tx.commit()

    async with uow as tx:
        await tx.refresh_tokens.add(token)
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.get(token.token_hash) == replace(token, used_at=NOW)
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW) is False


async def test_adding_the_same_hash_twice_in_one_transaction_keeps_the_first(uow: UnitOfWork) -> None:
    token = a_refresh_token(await _a_stored_session(uow))

    async with uow as tx:
        await tx.refresh_tokens.add(token)
        await tx.refresh_tokens.add(replace(token, expires_at=NOW + timedelta(days=30)))
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.get(token.token_hash) == token


async def test_get_returns_a_used_token_too(uow: UnitOfWork) -> None:
    token = a_refresh_token(await _a_stored_session(uow))
    await _stored(uow, token)
    used_at = NOW + timedelta(minutes=3, microseconds=7)
    async with uow as tx:
        await tx.refresh_tokens.rotate(token.token_hash, _next(token), used_at)
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.get(token.token_hash) == replace(token, used_at=used_at)


async def test_get_returns_none_for_an_unknown_hash(uow: UnitOfWork) -> None:
    session = await _a_stored_session(uow)
    await _stored(uow, a_refresh_token(session))

    async with uow as tx:
        assert await tx.refresh_tokens.get(a_refresh_token(session).token_hash) is None


async def test_rotate_stamps_an_unused_token_with_now(uow: UnitOfWork) -> None:
    token = a_refresh_token(await _a_stored_session(uow))
    await _stored(uow, token)
    now = NOW + timedelta(seconds=30)

    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), now) is True
        await tx.commit()

    async with uow as tx:
        found = await tx.refresh_tokens.get(token.token_hash)
    assert found is not None
    assert found.used_at == now
    assert found.used_at.utcoffset() == timedelta(0)


async def test_rotate_returns_false_once_the_token_was_used(uow: UnitOfWork) -> None:
    token = a_refresh_token(await _a_stored_session(uow))
    await _stored(uow, token)
    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW) is True
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW + timedelta(seconds=1)) is False
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.get(token.token_hash) == replace(token, used_at=NOW)


async def test_rotate_returns_false_when_used_earlier_in_the_same_transaction(uow: UnitOfWork) -> None:
    token = a_refresh_token(await _a_stored_session(uow))
    await _stored(uow, token)

    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW) is True
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW) is False


async def test_rotate_returns_false_for_an_unknown_hash(uow: UnitOfWork) -> None:
    session = await _a_stored_session(uow)

    async with uow as tx:
        assert (
            await tx.refresh_tokens.rotate(a_refresh_token(session).token_hash, a_refresh_token(session), NOW) is False
        )


async def test_rotate_without_commit_leaves_the_token_unused(uow: UnitOfWork) -> None:
    token = a_refresh_token(await _a_stored_session(uow))
    await _stored(uow, token)

    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW) is True

    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW) is True


async def test_rotate_stores_the_successor_and_records_the_use_on_the_session(uow: UnitOfWork) -> None:
    session = await _a_stored_session(uow)
    token = a_refresh_token(session)
    await _stored(uow, token)
    successor = replace(_next(token), expires_at=NOW + timedelta(days=20))
    now = NOW + timedelta(hours=2)

    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, successor, now) is True
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.get(successor.token_hash) == successor
        assert await tx.sessions.get(session.id) == replace(session, last_used_at=now, expires_at=successor.expires_at)


async def test_rotate_of_a_used_token_changes_nothing(uow: UnitOfWork) -> None:
    session = await _a_stored_session(uow)
    token = a_refresh_token(session)
    await _stored(uow, token)
    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW) is True
        await tx.commit()
    async with uow as tx:
        before = await tx.sessions.get(session.id)
    late = replace(_next(token), expires_at=NOW + timedelta(days=40))

    async with uow as tx:
        assert await tx.refresh_tokens.rotate(token.token_hash, late, NOW + timedelta(hours=1)) is False
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.get(late.token_hash) is None
        assert await tx.sessions.get(session.id) == before


# lookup: the token, used or not, with its session and its user, read at once; None for an unknown hash.


async def test_lookup_gives_the_token_with_its_session_and_user(uow: UnitOfWork) -> None:
    user = a_user()
    session = a_session(user, ip="203.0.113.9", user_agent="test agent")
    token = a_refresh_token(session)
    async with uow as tx:
        await tx.users.add(user)
        await tx.sessions.add(session)
        await tx.refresh_tokens.add(token)
        await tx.commit()

    async with uow as tx:
        assert await tx.refresh_tokens.lookup(token.token_hash) == RefreshTokenLookup(token, session, user)


async def test_lookup_shows_a_used_token_and_a_revoked_session_as_they_are(uow: UnitOfWork) -> None:
    session = await _a_stored_session(uow)
    token = a_refresh_token(session)
    await _stored(uow, token)
    async with uow as tx:
        await tx.refresh_tokens.rotate(token.token_hash, _next(token), NOW)
        await tx.sessions.revoke(session.id, NOW)
        await tx.commit()

    async with uow as tx:
        found = await tx.refresh_tokens.lookup(token.token_hash)

    assert found is not None
    assert found.token == replace(token, used_at=NOW)
    assert found.session == replace(session, revoked_at=NOW)
    assert found.user is not None
    assert found.user.id == session.user_id


async def test_lookup_of_an_unknown_hash_is_none(uow: UnitOfWork) -> None:
    async with uow as tx:
        assert await tx.refresh_tokens.lookup("0" * 64) is None
