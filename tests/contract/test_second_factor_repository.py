"""Contract of SecondFactorRepository and MfaChallengeRepository: one test per sentence of their
docstrings, on every backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.opaque_tokens import hash_token
from domain.second_factor import MFA_CHALLENGE_MAX_TRIES, MfaChallenge, RecoveryCode, SecondFactor, TotpState
from tests.builders import NOW, a_stored_user

N = 12
UowFactory = Callable[[], UnitOfWork]


def _an_active_factor(user: User, *, last_step: int | None = 1000, codes: int = 3) -> SecondFactor:
    return SecondFactor(
        user_id=user.id,
        sealed_secret="sealed-" + user.id,
        state=TotpState.ACTIVE,
        created_at=NOW,
        confirmed_at=NOW + timedelta(microseconds=5),
        last_step=last_step,
        recovery_codes=tuple(RecoveryCode(code_hash=f"{index:064x}") for index in range(codes)),
    )


async def _saved(uow: UnitOfWork, factor: SecondFactor) -> None:
    async with uow as tx:
        await tx.second_factors.save(factor)
        await tx.commit()


async def _factor(uow: UnitOfWork, user: User) -> SecondFactor | None:
    async with uow as tx:
        return await tx.second_factors.get(user.id)


async def test_a_saved_factor_comes_back_field_for_field_with_its_codes_in_order(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    factor = _an_active_factor(user, last_step=2**40)
    await _saved(uow, factor)

    assert await _factor(uow, user) == factor


async def test_get_returns_none_without_a_factor(uow: UnitOfWork) -> None:
    assert await _factor(uow, await a_stored_user(uow)) is None


async def test_the_reader_sees_a_committed_factor(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    user = await a_stored_user(uow)
    await _saved(uow, _an_active_factor(user))

    async with reader as view:
        found = await view.second_factors.get(user.id)
    assert found is not None
    assert found.is_active


async def test_save_replaces_the_stored_factor_and_its_codes(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    await _saved(uow, _an_active_factor(user, codes=3))
    pending = SecondFactor.begin(user_id=user.id, sealed_secret="other", now=NOW)
    await _saved(uow, pending)

    assert await _factor(uow, user) == pending


async def test_a_saved_factor_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    async with uow as tx:
        await tx.second_factors.save(_an_active_factor(user))

    assert await _factor(uow, user) is None


async def test_delete_removes_the_factor_and_says_whether_there_was_one(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    await _saved(uow, _an_active_factor(user))

    async with uow as tx:
        outcomes = [await tx.second_factors.delete(user.id), await tx.second_factors.delete(user.id)]
        await tx.commit()

    assert outcomes == [True, False]
    assert await _factor(uow, user) is None


async def test_the_factor_goes_with_its_user(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    await _saved(uow, _an_active_factor(user))
    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.commit()

    assert await _factor(uow, user) is None


async def test_advance_step_records_only_a_later_step(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    await _saved(uow, _an_active_factor(user, last_step=1000))

    async with uow as tx:
        outcomes = [
            await tx.second_factors.advance_step(user.id, 999),
            await tx.second_factors.advance_step(user.id, 1000),
            await tx.second_factors.advance_step(user.id, 1001),
            await tx.second_factors.advance_step(user.id, 1001),
        ]
        await tx.commit()

    assert outcomes == [False, False, True, False]
    factor = await _factor(uow, user)
    assert factor is not None
    assert factor.last_step == 1001


async def test_advance_step_accepts_any_step_after_none(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    await _saved(uow, _an_active_factor(user, last_step=None))

    async with uow as tx:
        assert await tx.second_factors.advance_step(user.id, 7) is True


async def test_advance_step_refuses_a_pending_factor_or_none(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    await _saved(uow, SecondFactor.begin(user_id=user.id, sealed_secret="s", now=NOW))

    async with uow as tx:
        assert [
            await tx.second_factors.advance_step(user.id, 5),
            await tx.second_factors.advance_step(other.id, 5),
        ] == [
            False,
            False,
        ]


async def test_use_recovery_code_stamps_an_unused_code_once(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    factor = _an_active_factor(user, codes=2)
    await _saved(uow, factor)
    code_hash = factor.recovery_codes[1].code_hash
    now = NOW + timedelta(minutes=1, microseconds=9)

    async with uow as tx:
        outcomes = [
            await tx.second_factors.use_recovery_code(user.id, code_hash, now),
            await tx.second_factors.use_recovery_code(user.id, code_hash, now),
            await tx.second_factors.use_recovery_code(user.id, "0" * 63 + "f", now),
        ]
        await tx.commit()

    assert outcomes == [True, False, False]
    stored = await _factor(uow, user)
    assert stored is not None
    assert [code.used_at for code in stored.recovery_codes] == [None, now]


async def test_a_code_of_another_account_is_not_used(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    factor = _an_active_factor(user)
    await _saved(uow, factor)

    async with uow as tx:
        assert await tx.second_factors.use_recovery_code(other.id, factor.recovery_codes[0].code_hash, NOW) is False


async def test_concurrent_step_advances_let_exactly_one_caller_win(uow_factory: UowFactory) -> None:
    user = await a_stored_user(uow_factory())
    await _saved(uow_factory(), _an_active_factor(user, last_step=1000))

    async def advance() -> bool:
        async with uow_factory() as tx:
            won = await tx.second_factors.advance_step(user.id, 1001)
            await tx.commit()
            return won

    assert sorted(await asyncio.gather(*(advance() for _ in range(N)))) == [False] * (N - 1) + [True]


async def test_concurrent_uses_of_one_recovery_code_let_exactly_one_caller_win(uow_factory: UowFactory) -> None:
    user = await a_stored_user(uow_factory())
    factor = _an_active_factor(user)
    await _saved(uow_factory(), factor)

    async def use() -> bool:
        async with uow_factory() as tx:
            won = await tx.second_factors.use_recovery_code(user.id, factor.recovery_codes[0].code_hash, NOW)
            await tx.commit()
            return won

    assert sorted(await asyncio.gather(*(use() for _ in range(N)))) == [False] * (N - 1) + [True]


async def _a_stored_challenge(uow: UnitOfWork, **overrides: object) -> MfaChallenge:
    user = await a_stored_user(uow)
    opened = MfaChallenge.open(token_hash=hash_token(user.id), user_id=user.id, now=NOW)
    challenge = replace(opened, **overrides)  # type: ignore[arg-type]
    async with uow as tx:
        await tx.mfa_challenges.add(challenge)
        await tx.commit()
    return challenge


async def test_get_reads_a_challenge_as_stored_without_counting_a_try(uow: UnitOfWork) -> None:
    challenge = await _a_stored_challenge(uow, tries=2, used_at=NOW)

    async with uow as tx:
        assert await tx.mfa_challenges.get(challenge.token_hash) == challenge
        assert await tx.mfa_challenges.get(challenge.token_hash) == challenge
        assert await tx.mfa_challenges.get(hash_token("unknown")) is None


async def test_a_challenge_keeps_the_first_factor_of_its_login(uow: UnitOfWork) -> None:
    after_password = await _a_stored_challenge(uow)
    after_social_login = await _a_stored_challenge(uow, first_factor="ext")

    async with uow as tx:
        found = [
            await tx.mfa_challenges.get(after_password.token_hash),
            await tx.mfa_challenges.get(after_social_login.token_hash),
            await tx.mfa_challenges.try_once(after_social_login.token_hash, NOW),
        ]
    assert found == [after_password, after_social_login, replace(after_social_login, tries=1)]
    assert [challenge.first_factor for challenge in found] == ["pwd", "ext", "ext"]


async def test_try_once_counts_a_try_and_returns_the_challenge_as_counted(uow: UnitOfWork) -> None:
    challenge = await _a_stored_challenge(uow)

    async with uow as tx:
        first = await tx.mfa_challenges.try_once(challenge.token_hash, NOW)
        second = await tx.mfa_challenges.try_once(challenge.token_hash, NOW)
        await tx.commit()

    assert first == replace(challenge, tries=1)
    assert second == replace(challenge, tries=2)


async def test_try_once_refuses_after_the_limit(uow: UnitOfWork) -> None:
    challenge = await _a_stored_challenge(uow, tries=MFA_CHALLENGE_MAX_TRIES - 1)

    async with uow as tx:
        assert await tx.mfa_challenges.try_once(challenge.token_hash, NOW) is not None
        assert await tx.mfa_challenges.try_once(challenge.token_hash, NOW) is None


async def test_try_once_refuses_an_expired_used_or_unknown_challenge(uow: UnitOfWork) -> None:
    expired = await _a_stored_challenge(uow)
    used = await _a_stored_challenge(uow, used_at=NOW)

    async with uow as tx:
        outcomes = [
            await tx.mfa_challenges.try_once(expired.token_hash, expired.expires_at),
            await tx.mfa_challenges.try_once(used.token_hash, NOW),
            await tx.mfa_challenges.try_once("f" * 64, NOW),
        ]
    assert outcomes == [None, None, None]


async def test_use_marks_a_challenge_used_once(uow: UnitOfWork) -> None:
    challenge = await _a_stored_challenge(uow)

    async with uow as tx:
        outcomes = [
            await tx.mfa_challenges.use(challenge.token_hash, NOW),
            await tx.mfa_challenges.use(challenge.token_hash, NOW),
        ]
        await tx.commit()
    async with uow as tx:
        after = await tx.mfa_challenges.try_once(challenge.token_hash, NOW)

    assert (outcomes, after) == ([True, False], None)


async def test_use_refuses_an_expired_challenge(uow: UnitOfWork) -> None:
    challenge = await _a_stored_challenge(uow)

    async with uow as tx:
        assert await tx.mfa_challenges.use(challenge.token_hash, challenge.expires_at) is False


async def test_concurrent_tries_never_count_more_than_the_limit(uow_factory: UowFactory) -> None:
    challenge = await _a_stored_challenge(uow_factory())

    async def attempt() -> bool:
        async with uow_factory() as tx:
            counted = await tx.mfa_challenges.try_once(challenge.token_hash, NOW)
            await tx.commit()
            return counted is not None

    outcomes = await asyncio.gather(*(attempt() for _ in range(N)))

    assert outcomes.count(True) == MFA_CHALLENGE_MAX_TRIES


async def test_concurrent_uses_let_exactly_one_caller_win(uow_factory: UowFactory) -> None:
    challenge = await _a_stored_challenge(uow_factory())

    async def use() -> bool:
        async with uow_factory() as tx:
            won = await tx.mfa_challenges.use(challenge.token_hash, NOW)
            await tx.commit()
            return won

    assert sorted(await asyncio.gather(*(use() for _ in range(N)))) == [False] * (N - 1) + [True]
