"""Contract of WebAuthnChallengeRepository: one test per sentence of its docstrings, on every
backend (memory, SQLite, PostgreSQL), the race of `take` included."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.opaque_tokens import hash_token
from domain.passkeys import WEBAUTHN_CHALLENGE_BYTES, CeremonyPurpose, WebAuthnChallenge
from tests.builders import NOW, a_stored_user

N = 12
UowFactory = Callable[[], UnitOfWork]
LATER = NOW + timedelta(minutes=1, microseconds=7)


def _a_challenge(
    user: User | None,
    *,
    purpose: CeremonyPurpose = CeremonyPurpose.REGISTRATION,
    handle_hash: str | None = None,
    now: datetime = NOW,
) -> WebAuthnChallenge:
    return WebAuthnChallenge.issue(
        handle_hash=handle_hash or hash_token(secrets.token_urlsafe(32)),
        purpose=purpose,
        # NUL and high bytes must survive: the challenge is compared byte for byte.
        challenge=b"\x00\xff" + secrets.token_bytes(WEBAUTHN_CHALLENGE_BYTES - 2),
        user_id=user.id if user is not None else None,
        now=now,
    )


async def _saved(uow: UnitOfWork, *challenges: WebAuthnChallenge) -> None:
    async with uow as tx:
        for challenge in challenges:
            await tx.webauthn_challenges.save(challenge)
        await tx.commit()


async def _take(
    uow: UnitOfWork, challenge: WebAuthnChallenge, purpose: CeremonyPurpose | None = None, now: datetime = LATER
) -> WebAuthnChallenge | None:
    async with uow as tx:
        taken = await tx.webauthn_challenges.take(challenge.handle_hash, purpose or challenge.purpose, now)
        await tx.commit()
        return taken


async def test_a_saved_challenge_is_taken_once_marked_used(uow: UnitOfWork) -> None:
    challenge = _a_challenge(await a_stored_user(uow))
    await _saved(uow, challenge)

    assert [await _take(uow, challenge), await _take(uow, challenge)] == [replace(challenge, used_at=LATER), None]


async def test_a_login_challenge_names_no_account(uow: UnitOfWork) -> None:
    challenge = _a_challenge(None, purpose=CeremonyPurpose.LOGIN)
    await _saved(uow, challenge)

    assert await _take(uow, challenge) == replace(challenge, used_at=LATER)


async def test_a_saved_challenge_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    challenge = _a_challenge(None, purpose=CeremonyPurpose.LOGIN)
    async with uow as tx:
        await tx.webauthn_challenges.save(challenge)

    assert await _take(uow, challenge) is None


async def test_take_refuses_another_purpose_and_changes_nothing(uow: UnitOfWork) -> None:
    challenge = _a_challenge(await a_stored_user(uow), purpose=CeremonyPurpose.SECOND_FACTOR)
    await _saved(uow, challenge)

    refused = [
        await _take(uow, challenge, CeremonyPurpose.REGISTRATION),
        await _take(uow, challenge, CeremonyPurpose.LOGIN),
    ]

    assert refused == [None, None]
    assert await _take(uow, challenge) == replace(challenge, used_at=LATER)


async def test_take_refuses_an_expired_challenge_and_changes_nothing(uow: UnitOfWork) -> None:
    challenge = _a_challenge(await a_stored_user(uow))
    await _saved(uow, challenge)

    assert await _take(uow, challenge, now=challenge.expires_at) is None
    assert await _take(uow, challenge, now=challenge.expires_at - timedelta(microseconds=1)) is not None


async def test_take_refuses_an_unknown_handle(uow: UnitOfWork) -> None:
    assert await _take(uow, _a_challenge(None, purpose=CeremonyPurpose.LOGIN)) is None


async def test_save_replaces_the_challenge_of_the_same_handle(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    first = _a_challenge(user)
    await _saved(uow, first)
    assert await _take(uow, first) is not None
    second = _a_challenge(user, purpose=CeremonyPurpose.SECOND_FACTOR, handle_hash=first.handle_hash, now=LATER)
    await _saved(uow, second)

    assert await _take(uow, first, CeremonyPurpose.REGISTRATION) is None
    assert await _take(uow, second, now=LATER) == replace(second, used_at=LATER)


async def test_save_deletes_the_challenges_expired_at_its_creation(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    expired = _a_challenge(user)
    live = _a_challenge(user, now=NOW + timedelta(seconds=1))
    await _saved(uow, expired, live)

    await _saved(uow, _a_challenge(None, purpose=CeremonyPurpose.LOGIN, now=expired.expires_at))

    # Both would still be answerable at NOW: only a purged row can refuse it.
    assert await _take(uow, expired, now=NOW) is None
    assert await _take(uow, live, now=NOW) == replace(live, used_at=NOW)


async def test_the_challenges_of_an_account_go_with_it(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    gone = _a_challenge(user, purpose=CeremonyPurpose.SECOND_FACTOR)
    kept, login = _a_challenge(other), _a_challenge(None, purpose=CeremonyPurpose.LOGIN)
    await _saved(uow, gone, kept, login)

    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.commit()

    assert [await _take(uow, gone), await _take(uow, kept), await _take(uow, login)] == [
        None,
        replace(kept, used_at=LATER),
        replace(login, used_at=LATER),
    ]


async def test_concurrent_takes_of_one_challenge_let_exactly_one_caller_win(uow_factory: UowFactory) -> None:
    challenge = _a_challenge(await a_stored_user(uow_factory()), purpose=CeremonyPurpose.SECOND_FACTOR)
    await _saved(uow_factory(), challenge)

    outcomes = await asyncio.gather(*(_take(uow_factory(), challenge) for _ in range(N)))

    assert [taken for taken in outcomes if taken is not None] == [replace(challenge, used_at=LATER)]


async def test_concurrent_saves_purge_the_expired_challenges_and_keep_every_new_one(uow_factory: UowFactory) -> None:
    user = await a_stored_user(uow_factory())
    expired = [_a_challenge(user, now=NOW + timedelta(microseconds=index)) for index in range(N)]
    await _saved(uow_factory(), *expired)
    later = NOW + timedelta(hours=1)
    issued = [_a_challenge(None, purpose=CeremonyPurpose.LOGIN, now=later) for _ in range(N)]

    await asyncio.gather(*(_saved(uow_factory(), challenge) for challenge in issued))

    assert [await _take(uow_factory(), challenge, now=NOW) for challenge in expired] == [None] * N
    taken = [await _take(uow_factory(), challenge, now=later) for challenge in issued]
    assert taken == [replace(challenge, used_at=later) for challenge in issued]
