"""Authenticate: turn a bearer access token into a principal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.auth.authenticate import ACCESS_TOKEN_MAX_LENGTH, Authenticate
from application.auth.log_out import LogOut
from domain.errors import TokenExpiredError, TokenInvalidError
from domain.sessions import Principal, TokenPair
from tests.unit.application.conftest import ACCESS_TTL, Harness


async def _logged_in(harness: Harness) -> TokenPair:
    await harness.a_user()
    return await harness.logged_in()


async def test_a_valid_access_token_gives_the_principal(harness: Harness) -> None:
    user = await harness.a_user()
    login = await harness.logged_in()

    principal = await harness.principal(login)

    assert principal == Principal(
        user_id=user.id, session_id=harness.session_of(login).id, roles=("user",), amr=("pwd",)
    )


async def test_an_access_token_just_before_its_expiry_is_accepted(harness: Harness) -> None:
    login = await _logged_in(harness)
    harness.clock.advance(ACCESS_TTL - timedelta(seconds=1))

    assert await harness.principal(login)


async def test_an_expired_access_token_is_refused_as_expired(harness: Harness) -> None:
    login = await _logged_in(harness)
    harness.clock.advance(ACCESS_TTL)

    with pytest.raises(TokenExpiredError):
        await harness.principal(login)


async def test_an_access_token_of_a_revoked_session_is_invalid(harness: Harness) -> None:
    login = await _logged_in(harness)
    await harness.log_out.handle(LogOut(refresh_token=login.refresh_token))

    with pytest.raises(TokenInvalidError) as caught:
        await harness.principal(login)

    assert type(caught.value) is TokenInvalidError


async def test_authentication_reads_no_database(harness: Harness) -> None:
    login = await _logged_in(harness)
    commits_and_reads_before = harness.store.commits
    harness.store.sessions.clear()  # were the session read, the token would now fail

    assert await harness.principal(login)
    assert harness.store.commits == commits_and_reads_before


async def test_a_token_of_a_user_revoked_before_it_was_issued_is_invalid(harness: Harness) -> None:
    login = await _logged_in(harness)
    principal = await harness.principal(login)
    harness.clock.advance(timedelta(seconds=1))
    await harness.revocations.revoke_user(
        principal.user_id, issued_before=harness.clock.now(), until=harness.clock.now() + ACCESS_TTL
    )

    with pytest.raises(TokenInvalidError):
        await harness.principal(login)
    assert await harness.principal(await harness.logged_in())


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * (ACCESS_TOKEN_MAX_LENGTH + 1), id="over-long"),
        pytest.param("mem.forged", id="forged"),
        pytest.param("not.a.jwt", id="garbage"),
    ],
)
async def test_a_token_that_was_never_issued_is_invalid(harness: Harness, token: str) -> None:
    await _logged_in(harness)

    with pytest.raises(TokenInvalidError) as caught:
        await harness.authenticate.handle(Authenticate(access_token=token))

    assert type(caught.value) is TokenInvalidError


async def test_a_refresh_token_is_not_accepted_as_an_access_token(harness: Harness) -> None:
    login = await _logged_in(harness)

    with pytest.raises(TokenInvalidError):
        await harness.authenticate.handle(Authenticate(access_token=login.refresh_token))
