"""RefreshSession: rotate a refresh token into a new pair; replay inside the grace, theft after it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from application.auth.log_out import LogOut
from application.auth.refresh_session import RefreshSession
from domain.errors import RefreshTokenReusedError, TokenInvalidError
from domain.opaque_tokens import OPAQUE_TOKEN_MAX_LENGTH, hash_token
from domain.sessions import TokenPair
from tests.unit.application.conftest import GRACE, REFRESH_TTL, Harness


async def _logged_in(harness: Harness) -> TokenPair:
    await harness.a_user()
    return await harness.logged_in()


async def _refresh(harness: Harness, refresh_token: str) -> TokenPair:
    return await harness.refresh.handle(RefreshSession(refresh_token=refresh_token))


async def test_a_refresh_gives_a_new_refresh_token(harness: Harness) -> None:
    login = await _logged_in(harness)

    rotated = await _refresh(harness, login.refresh_token)

    assert rotated.refresh_token != login.refresh_token


async def test_a_refresh_marks_the_presented_token_used(harness: Harness) -> None:
    login = await _logged_in(harness)
    harness.clock.advance(timedelta(minutes=1))

    await _refresh(harness, login.refresh_token)

    assert harness.refresh_record(login.refresh_token).used_at == harness.clock.now()


async def test_the_new_refresh_token_is_stored_hashed_in_the_same_session(harness: Harness) -> None:
    login = await _logged_in(harness)

    rotated = await _refresh(harness, login.refresh_token)

    assert rotated.refresh_token not in harness.store.refresh_tokens
    record = harness.refresh_record(rotated.refresh_token)
    assert (record.session_id, record.used_at) == (harness.session_of(login).id, None)


async def test_a_refresh_gives_a_new_access_token_for_the_same_session(harness: Harness) -> None:
    login = await _logged_in(harness)

    rotated = await _refresh(harness, login.refresh_token)

    claims = harness.issuer.verify(rotated.access_token, harness.clock.now())
    assert rotated.access_token != login.access_token
    assert claims.session_id == harness.session_of(login).id
    assert rotated.expires_in == 900


async def test_a_refresh_moves_the_session_last_use_and_expiry(harness: Harness) -> None:
    login = await _logged_in(harness)
    harness.clock.advance(timedelta(hours=5))

    await _refresh(harness, login.refresh_token)

    session = harness.session_of(login)
    assert (session.last_used_at, session.expires_at) == (harness.clock.now(), harness.clock.now() + REFRESH_TTL)


async def test_a_chain_of_three_rotations_stays_in_one_session(harness: Harness) -> None:
    login = await _logged_in(harness)
    tokens = [login.refresh_token]

    for _ in range(3):
        harness.clock.advance(timedelta(minutes=20))
        tokens.append((await _refresh(harness, tokens[-1])).refresh_token)

    assert len(set(tokens)) == 4
    assert {harness.refresh_record(token).session_id for token in tokens} == {harness.session_of(login).id}
    assert [harness.refresh_record(token).used_at is None for token in tokens] == [False, False, False, True]


async def test_a_replay_within_the_grace_returns_the_same_refresh_token(harness: Harness) -> None:
    login = await _logged_in(harness)
    first = await _refresh(harness, login.refresh_token)
    harness.clock.advance(GRACE - timedelta(seconds=1))

    replay = await _refresh(harness, login.refresh_token)

    assert replay.refresh_token == first.refresh_token


async def test_a_replay_within_the_grace_returns_a_fresh_access_token(harness: Harness) -> None:
    login = await _logged_in(harness)
    first = await _refresh(harness, login.refresh_token)
    harness.clock.advance(timedelta(seconds=1))

    replay = await _refresh(harness, login.refresh_token)

    assert replay.access_token != first.access_token
    assert harness.issuer.verify(replay.access_token, harness.clock.now()).issued_at == harness.clock.now()


async def test_a_replay_at_exactly_the_grace_still_converges(harness: Harness) -> None:
    login = await _logged_in(harness)
    first = await _refresh(harness, login.refresh_token)
    harness.clock.advance(GRACE)

    replay = await _refresh(harness, login.refresh_token)

    assert replay.refresh_token == first.refresh_token


async def test_a_replay_within_the_grace_does_not_fork_the_session(harness: Harness) -> None:
    login = await _logged_in(harness)
    await _refresh(harness, login.refresh_token)

    await _refresh(harness, login.refresh_token)

    assert len(harness.store.refresh_tokens) == 2
    assert harness.session_of(login).revoked_at is None


async def test_the_successor_handed_out_by_a_replay_still_rotates(harness: Harness) -> None:
    login = await _logged_in(harness)
    await _refresh(harness, login.refresh_token)
    replay = await _refresh(harness, login.refresh_token)

    next_pair = await _refresh(harness, replay.refresh_token)

    assert next_pair.refresh_token != replay.refresh_token


async def test_a_reused_refresh_token_after_the_grace_is_refused_as_reuse(harness: Harness) -> None:
    login = await _logged_in(harness)
    await _refresh(harness, login.refresh_token)
    harness.clock.advance(GRACE + timedelta(seconds=1))

    with pytest.raises(RefreshTokenReusedError):
        await _refresh(harness, login.refresh_token)


async def test_a_reused_refresh_token_revokes_the_session(harness: Harness) -> None:
    login = await _logged_in(harness)
    await _refresh(harness, login.refresh_token)
    harness.clock.advance(GRACE + timedelta(seconds=1))

    with pytest.raises(RefreshTokenReusedError):
        await _refresh(harness, login.refresh_token)

    assert harness.session_of(login).revoked_at == harness.clock.now()


async def test_after_reuse_the_newest_refresh_token_of_the_session_fails_too(harness: Harness) -> None:
    login = await _logged_in(harness)
    successor = await _refresh(harness, login.refresh_token)
    harness.clock.advance(GRACE + timedelta(seconds=1))
    with pytest.raises(RefreshTokenReusedError):
        await _refresh(harness, login.refresh_token)

    with pytest.raises(TokenInvalidError) as caught:
        await _refresh(harness, successor.refresh_token)

    assert type(caught.value) is TokenInvalidError


async def test_after_reuse_the_access_tokens_of_the_session_stop_working(harness: Harness) -> None:
    login = await _logged_in(harness)
    successor = await _refresh(harness, login.refresh_token)
    harness.clock.advance(GRACE + timedelta(seconds=1))
    with pytest.raises(RefreshTokenReusedError):
        await _refresh(harness, login.refresh_token)

    with pytest.raises(TokenInvalidError):
        await harness.principal(successor)


async def test_reuse_does_not_touch_the_other_sessions_of_the_user(harness: Harness) -> None:
    login = await _logged_in(harness)
    other = await harness.logged_in()
    await _refresh(harness, login.refresh_token)
    harness.clock.advance(GRACE + timedelta(seconds=1))
    with pytest.raises(RefreshTokenReusedError):
        await _refresh(harness, login.refresh_token)

    assert await _refresh(harness, other.refresh_token)


async def test_with_no_grace_a_second_presentation_at_once_revokes_the_session(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(reuse_grace=timedelta(0))
    login = await _logged_in(harness)
    await _refresh(harness, login.refresh_token)

    with pytest.raises(RefreshTokenReusedError):
        await _refresh(harness, login.refresh_token)

    assert harness.session_of(login).revoked_at is not None


async def test_an_expired_refresh_token_is_invalid(harness: Harness) -> None:
    login = await _logged_in(harness)
    harness.clock.advance(REFRESH_TTL)

    with pytest.raises(TokenInvalidError) as caught:
        await _refresh(harness, login.refresh_token)

    assert type(caught.value) is TokenInvalidError


async def test_a_refresh_token_just_before_its_expiry_still_rotates(harness: Harness) -> None:
    login = await _logged_in(harness)
    harness.clock.advance(REFRESH_TTL - timedelta(seconds=1))

    assert await _refresh(harness, login.refresh_token)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("never-issued", id="unknown"),
        pytest.param("x" * (OPAQUE_TOKEN_MAX_LENGTH + 1), id="over-long"),
        pytest.param("\x00", id="nul"),
    ],
)
async def test_a_token_that_was_never_issued_is_invalid(harness: Harness, token: str) -> None:
    await _logged_in(harness)

    with pytest.raises(TokenInvalidError) as caught:
        await _refresh(harness, token)

    assert type(caught.value) is TokenInvalidError


async def test_the_access_token_is_not_accepted_as_a_refresh_token(harness: Harness) -> None:
    login = await _logged_in(harness)

    with pytest.raises(TokenInvalidError):
        await _refresh(harness, login.access_token)


async def test_a_refresh_token_of_a_deactivated_account_is_invalid(harness: Harness) -> None:
    user = await harness.a_user()
    login = await harness.logged_in()
    harness.deactivate(user.id)

    with pytest.raises(TokenInvalidError) as caught:
        await _refresh(harness, login.refresh_token)

    assert type(caught.value) is TokenInvalidError


async def test_a_refused_refresh_of_a_deactivated_account_does_not_use_the_token_up(harness: Harness) -> None:
    user = await harness.a_user()
    login = await harness.logged_in()
    harness.deactivate(user.id)

    with pytest.raises(TokenInvalidError):
        await _refresh(harness, login.refresh_token)

    assert harness.refresh_record(login.refresh_token).used_at is None
    assert len(harness.store.refresh_tokens) == 1


async def test_a_refresh_token_is_invalid_after_logout(harness: Harness) -> None:
    login = await _logged_in(harness)
    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))

    with pytest.raises(TokenInvalidError) as caught:
        await _refresh(harness, login.refresh_token)

    assert type(caught.value) is TokenInvalidError


async def test_concurrent_refreshes_with_one_token_converge_on_one_successor(harness: Harness) -> None:
    login = await _logged_in(harness)
    handlers = [harness.refresh] + [harness.use_cases.refresh_session() for _ in range(4)]

    pairs = await asyncio.gather(
        *(handler.handle(RefreshSession(refresh_token=login.refresh_token)) for handler in handlers)
    )

    assert len({pair.refresh_token for pair in pairs}) == 1
    assert len(harness.store.refresh_tokens) == 2
    assert harness.store.refresh_tokens[hash_token(pairs[0].refresh_token)].used_at is None


async def test_a_session_refreshed_every_few_days_still_ends_30_days_after_its_login(harness: Harness) -> None:
    await harness.a_user()
    pair = await harness.logged_in()
    for _ in range(4):  # days 6, 12, 18, 24
        harness.clock.advance(timedelta(days=6))
        pair = await harness.refresh.handle(RefreshSession(refresh_token=pair.refresh_token))
    assert harness.session_of(pair).expires_at == harness.session_of(pair).created_at + timedelta(days=30)

    harness.clock.advance(timedelta(days=5, hours=23))  # day 29 and 23 hours
    pair = await harness.refresh.handle(RefreshSession(refresh_token=pair.refresh_token))
    harness.clock.advance(timedelta(hours=1))  # day 30

    with pytest.raises(TokenInvalidError):
        await harness.refresh.handle(RefreshSession(refresh_token=pair.refresh_token))
