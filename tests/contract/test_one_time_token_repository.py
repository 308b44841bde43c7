"""Contract of OneTimeTokenRepository: one test per sentence of its docstrings, on every backend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from tests.builders import NOW, a_one_time_token, a_user

N = 20
UowFactory = Callable[[], UnitOfWork]


async def _stored_users(uow: UnitOfWork, count: int = 1) -> list[User]:
    users = [a_user() for _ in range(count)]
    async with uow as tx:
        for user in users:
            await tx.users.add(user)
        await tx.commit()
    return users


async def _a_stored_user(uow: UnitOfWork) -> User:
    [user] = await _stored_users(uow)
    return user


async def _stored(uow: UnitOfWork, *tokens: OneTimeToken) -> None:
    async with uow as tx:
        for token in tokens:
            await tx.one_time_tokens.add(token)
        await tx.commit()


async def test_added_token_comes_back_field_for_field_in_utc(uow: UnitOfWork) -> None:
    user = await _a_stored_user(uow)
    token = a_one_time_token(
        user,
        purpose=TokenPurpose.EMAIL_VERIFICATION,
        created_at=NOW + timedelta(microseconds=42),
        expires_at=NOW + timedelta(days=2, microseconds=7),
    )
    await _stored(uow, token)

    async with uow as tx:
        found = await tx.one_time_tokens.get(token.token_hash)
    assert found == token
    assert found.created_at.utcoffset() == timedelta(0)
    assert found.expires_at.utcoffset() == timedelta(0)


async def test_get_returns_none_for_an_unknown_hash(uow: UnitOfWork) -> None:
    user = await _a_stored_user(uow)
    await _stored(uow, a_one_time_token(user))

    async with uow as tx:
        assert await tx.one_time_tokens.get(a_one_time_token(user).token_hash) is None


async def test_an_added_token_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    token = a_one_time_token(await _a_stored_user(uow))
    async with uow as tx:
        await tx.one_time_tokens.add(token)

    async with uow as tx:
        assert await tx.one_time_tokens.get(token.token_hash) is None


async def test_use_stamps_a_valid_token_with_now_once(uow: UnitOfWork) -> None:
    token = a_one_time_token(await _a_stored_user(uow))
    await _stored(uow, token)
    now = NOW + timedelta(minutes=5, microseconds=3)

    async with uow as tx:
        assert await tx.one_time_tokens.use(token.token_hash, token.purpose, now) is True
        await tx.commit()

    async with uow as tx:
        assert await tx.one_time_tokens.use(token.token_hash, token.purpose, now + timedelta(seconds=1)) is False
        found = await tx.one_time_tokens.get(token.token_hash)
    assert found == replace(token, used_at=now)
    assert found.used_at is not None
    assert found.used_at.utcoffset() == timedelta(0)


async def test_use_returns_false_when_used_earlier_in_the_same_transaction(uow: UnitOfWork) -> None:
    token = a_one_time_token(await _a_stored_user(uow))
    await _stored(uow, token)

    async with uow as tx:
        assert await tx.one_time_tokens.use(token.token_hash, token.purpose, NOW) is True
        assert await tx.one_time_tokens.use(token.token_hash, token.purpose, NOW) is False


async def test_use_without_commit_leaves_the_token_unused(uow: UnitOfWork) -> None:
    token = a_one_time_token(await _a_stored_user(uow))
    await _stored(uow, token)
    async with uow as tx:
        assert await tx.one_time_tokens.use(token.token_hash, token.purpose, NOW) is True

    async with uow as tx:
        assert await tx.one_time_tokens.get(token.token_hash) == token
        assert await tx.one_time_tokens.use(token.token_hash, token.purpose, NOW) is True


async def test_use_returns_false_for_another_purpose_and_leaves_the_token_unused(uow: UnitOfWork) -> None:
    token = a_one_time_token(await _a_stored_user(uow), purpose=TokenPurpose.PASSWORD_RESET)
    await _stored(uow, token)

    async with uow as tx:
        assert await tx.one_time_tokens.use(token.token_hash, TokenPurpose.EMAIL_VERIFICATION, NOW) is False
        await tx.commit()

    async with uow as tx:
        assert await tx.one_time_tokens.get(token.token_hash) == token


async def test_use_returns_false_from_the_expiry_on(uow: UnitOfWork) -> None:
    token = a_one_time_token(await _a_stored_user(uow))
    await _stored(uow, token)

    async with uow as tx:
        assert await tx.one_time_tokens.use(token.token_hash, token.purpose, token.expires_at) is False
        assert (
            await tx.one_time_tokens.use(token.token_hash, token.purpose, token.expires_at + timedelta(days=1)) is False
        )
        await tx.commit()

    async with uow as tx:
        assert await tx.one_time_tokens.get(token.token_hash) == token


async def test_use_succeeds_until_just_before_the_expiry(uow: UnitOfWork) -> None:
    token = a_one_time_token(await _a_stored_user(uow))
    await _stored(uow, token)

    async with uow as tx:
        assert await tx.one_time_tokens.use(
            token.token_hash, token.purpose, token.expires_at - timedelta(microseconds=1)
        )


async def test_use_returns_false_for_an_unknown_hash(uow: UnitOfWork) -> None:
    user = await _a_stored_user(uow)
    await _stored(uow, a_one_time_token(user))

    async with uow as tx:
        assert (
            await tx.one_time_tokens.use(a_one_time_token(user).token_hash, TokenPurpose.PASSWORD_RESET, NOW) is False
        )


async def test_concurrent_use_lets_exactly_one_caller_win(uow_factory: UowFactory) -> None:
    token = a_one_time_token(await _a_stored_user(uow_factory()))
    await _stored(uow_factory(), token)

    async def use() -> bool:
        async with uow_factory() as tx:
            won = await tx.one_time_tokens.use(token.token_hash, token.purpose, NOW)
            await tx.commit()
        return won

    outcomes = await asyncio.gather(*(use() for _ in range(N)))

    assert outcomes.count(True) == 1
    assert outcomes.count(False) == N - 1


async def test_invalidate_for_user_uses_up_only_that_users_unused_tokens_of_that_purpose(uow: UnitOfWork) -> None:
    user, other_user = await _stored_users(uow, 2)
    used_at = NOW + timedelta(minutes=1)
    unused = a_one_time_token(user)
    expired = a_one_time_token(user, created_at=NOW - timedelta(days=1), expires_at=NOW - timedelta(hours=1))
    already_used = a_one_time_token(user, used_at=used_at)
    other_purpose = a_one_time_token(user, purpose=TokenPurpose.EMAIL_VERIFICATION)
    other_users = a_one_time_token(other_user)
    await _stored(uow, unused, expired, already_used, other_purpose, other_users)
    now = NOW + timedelta(minutes=10)

    async with uow as tx:
        assert await tx.one_time_tokens.invalidate_for_user(user.id, TokenPurpose.PASSWORD_RESET, now) == 2
        await tx.commit()

    async with uow as tx:
        assert await tx.one_time_tokens.get(unused.token_hash) == replace(unused, used_at=now)
        assert await tx.one_time_tokens.get(expired.token_hash) == replace(expired, used_at=now)
        assert await tx.one_time_tokens.get(already_used.token_hash) == already_used
        assert await tx.one_time_tokens.get(other_purpose.token_hash) == other_purpose
        assert await tx.one_time_tokens.get(other_users.token_hash) == other_users
        assert await tx.one_time_tokens.use(unused.token_hash, unused.purpose, now) is False


async def test_invalidate_for_user_returns_zero_when_nothing_is_unused(uow: UnitOfWork) -> None:
    user = await _a_stored_user(uow)
    await _stored(uow, a_one_time_token(user, used_at=NOW))

    async with uow as tx:
        assert await tx.one_time_tokens.invalidate_for_user(user.id, TokenPurpose.PASSWORD_RESET, NOW) == 0


async def test_tokens_are_deleted_with_their_user(uow: UnitOfWork) -> None:
    user, other_user = await _stored_users(uow, 2)
    token = a_one_time_token(user)
    other_users = a_one_time_token(other_user)
    await _stored(uow, token, other_users)

    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.commit()

    async with uow as tx:
        assert await tx.one_time_tokens.get(token.token_hash) is None
        assert await tx.one_time_tokens.get(other_users.token_hash) == other_users
        assert await tx.one_time_tokens.use(token.token_hash, token.purpose, NOW) is False
