"""LogIn: exchange a password for a new session and its token pair."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from domain.errors import AccountDisabledError, EmailNotVerifiedError, InvalidCredentialsError
from domain.opaque_tokens import hash_token
from domain.passwords import PASSWORD_HARD_MAX_LENGTH
from tests.unit.application.conftest import ACCESS_TTL, PASSWORD, REFRESH_TTL, Harness


@pytest.mark.parametrize("identifier", ["ada@example.org", "ADA@EXAMPLE.ORG", "Ada@Example.org", " ada@example.org "])
async def test_an_account_logs_in_by_email_in_any_case(harness: Harness, identifier: str) -> None:
    await harness.a_user(email="Ada@Example.org")

    pair = await harness.logged_in(identifier)

    assert pair.refresh_token


@pytest.mark.parametrize("identifier", ["ada_l", "ADA_L", "Ada_L"])
async def test_an_account_logs_in_by_username_in_any_case(harness: Harness, identifier: str) -> None:
    await harness.a_user(username="Ada_L")

    pair = await harness.logged_in(identifier)

    assert pair.refresh_token


async def test_a_wrong_password_is_refused_after_one_verify(harness: Harness) -> None:
    await harness.a_user()

    with pytest.raises(InvalidCredentialsError):
        await harness.logged_in("ada@example.org", "Wr0ng&password")

    assert harness.hasher.verify_calls == 1


@pytest.mark.parametrize("identifier", ["nobody@example.org", "nobody", "not an identifier!", "", "x" * 10_000])
async def test_an_unknown_account_is_refused_after_one_verify(harness: Harness, identifier: str) -> None:
    await harness.a_user()

    with pytest.raises(InvalidCredentialsError):
        await harness.logged_in(identifier, PASSWORD)

    assert harness.hasher.verify_calls == 1


async def test_an_unknown_account_and_a_wrong_password_fail_identically(harness: Harness) -> None:
    await harness.a_user()

    with pytest.raises(InvalidCredentialsError) as unknown:
        await harness.logged_in("nobody@example.org", PASSWORD)
    with pytest.raises(InvalidCredentialsError) as wrong:
        await harness.logged_in("ada@example.org", "Wr0ng&password")

    assert (type(unknown.value), unknown.value.code, str(unknown.value)) == (
        type(wrong.value),
        wrong.value.code,
        str(wrong.value),
    )


async def test_an_over_long_password_is_refused_without_hashing(harness: Harness) -> None:
    await harness.a_user()

    with pytest.raises(InvalidCredentialsError):
        await harness.logged_in("ada@example.org", "A1&" + "a" * PASSWORD_HARD_MAX_LENGTH)

    assert harness.hasher.verify_calls == 0


async def test_a_password_at_the_hard_length_bound_is_still_checked(harness: Harness) -> None:
    await harness.a_user()

    with pytest.raises(InvalidCredentialsError):
        await harness.logged_in("ada@example.org", "a" * PASSWORD_HARD_MAX_LENGTH)

    assert harness.hasher.verify_calls == 1


async def test_a_deactivated_account_is_refused_after_a_correct_password(harness: Harness) -> None:
    user = await harness.a_user()
    harness.deactivate(user.id)

    with pytest.raises(AccountDisabledError):
        await harness.logged_in("ada@example.org", PASSWORD)


async def test_a_deactivated_account_with_a_wrong_password_looks_like_any_wrong_password(harness: Harness) -> None:
    user = await harness.a_user()
    harness.deactivate(user.id)

    with pytest.raises(InvalidCredentialsError):
        await harness.logged_in("ada@example.org", "Wr0ng&password")


async def test_a_refused_deactivated_account_gets_no_session(harness: Harness) -> None:
    user = await harness.a_user()
    harness.deactivate(user.id)

    with pytest.raises(AccountDisabledError):
        await harness.logged_in("ada@example.org", PASSWORD)

    assert (harness.store.sessions, harness.store.refresh_tokens) == ({}, {})
    assert harness.stored_user(user.id).last_login is None


async def test_an_unverified_email_is_refused_when_verification_is_required(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(require_verified_email=True)
    await harness.a_user()

    with pytest.raises(EmailNotVerifiedError):
        await harness.logged_in("ada@example.org", PASSWORD)


async def test_an_unverified_email_with_a_wrong_password_is_just_a_wrong_password(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(require_verified_email=True)
    await harness.a_user()

    with pytest.raises(InvalidCredentialsError):
        await harness.logged_in("ada@example.org", "Wr0ng&password")


async def test_a_verified_email_logs_in_when_verification_is_required(make_harness: Callable[..., Harness]) -> None:
    harness = make_harness(require_verified_email=True)
    user = await harness.a_user()
    harness.verify_email(user.id)

    pair = await harness.logged_in("ada@example.org", PASSWORD)

    assert pair.refresh_token


async def test_an_unverified_email_logs_in_when_verification_is_not_required(harness: Harness) -> None:
    await harness.a_user()

    pair = await harness.logged_in("ada@example.org", PASSWORD)

    assert pair.refresh_token


async def test_a_login_stamps_the_last_login_time(harness: Harness) -> None:
    user = await harness.a_user()
    harness.clock.advance(timedelta(hours=3))

    await harness.logged_in()

    assert harness.stored_user(user.id).last_login == harness.clock.now()


async def test_a_login_resets_the_failed_attempts(harness: Harness) -> None:
    user = await harness.a_user()
    harness.store.users[user.id].failed_login_attempts = 3

    await harness.logged_in()

    assert harness.stored_user(user.id).failed_login_attempts == 0


async def test_an_outdated_hash_is_upgraded_on_login(harness: Harness) -> None:
    user = await harness.a_user()
    harness.store.users[user.id].hashed_password = harness.hasher.outdated_hash(PASSWORD)

    await harness.logged_in()

    assert harness.stored_user(user.id).hashed_password == await harness.hasher.hash(PASSWORD)


async def test_a_current_hash_is_kept_on_login(harness: Harness) -> None:
    user = await harness.a_user()
    before = harness.stored_user(user.id).hashed_password

    await harness.logged_in()

    assert harness.stored_user(user.id).hashed_password == before


async def test_a_login_stores_a_session_with_the_client_details(harness: Harness) -> None:
    user = await harness.a_user()

    pair = await harness.logged_in(ip="203.0.113.7", user_agent="Firefox/130")

    session = harness.session_of(pair)
    assert (session.user_id, session.ip, session.user_agent, session.revoked_at) == (
        user.id,
        "203.0.113.7",
        "Firefox/130",
        None,
    )


async def test_a_new_session_lasts_the_refresh_lifetime(harness: Harness) -> None:
    await harness.a_user()

    session = harness.session_of(await harness.logged_in())

    now = harness.clock.now()
    assert (session.created_at, session.last_used_at, session.expires_at) == (now, now, now + REFRESH_TTL)


async def test_the_refresh_token_is_stored_only_as_its_hash(harness: Harness) -> None:
    await harness.a_user()

    pair = await harness.logged_in()

    assert pair.refresh_token not in harness.store.refresh_tokens
    record = harness.store.refresh_tokens[hash_token(pair.refresh_token)]
    assert (record.used_at, record.expires_at) == (None, harness.clock.now() + REFRESH_TTL)


async def test_the_refresh_token_carries_at_least_256_bits(harness: Harness) -> None:
    await harness.a_user()

    pair = await harness.logged_in()

    assert len(pair.refresh_token) >= 43


async def test_the_access_token_names_the_user_the_session_and_the_roles(harness: Harness) -> None:
    user = await harness.a_user()

    pair = await harness.logged_in()

    claims = harness.issuer.verify(pair.access_token, harness.clock.now())
    assert (claims.subject, claims.session_id, claims.roles) == (user.id, harness.session_of(pair).id, ("user",))


async def test_the_access_token_lives_for_the_access_lifetime(harness: Harness) -> None:
    await harness.a_user()

    pair = await harness.logged_in()

    claims = harness.issuer.verify(pair.access_token, harness.clock.now())
    assert claims.expires_at - claims.issued_at == ACCESS_TTL
    assert pair.expires_in == int(ACCESS_TTL.total_seconds()) == 900


async def test_each_login_starts_its_own_session(harness: Harness) -> None:
    await harness.a_user()

    first = await harness.logged_in()
    second = await harness.logged_in()

    assert first.refresh_token != second.refresh_token
    assert harness.session_of(first).id != harness.session_of(second).id
    assert len(harness.store.sessions) == 2
