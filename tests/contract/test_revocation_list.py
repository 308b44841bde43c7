"""RevocationList contract, over the in-process list and the Redis one (shared server, own prefix).

Every check follows the revoke call directly, with no await in between: the instance that revokes
must enforce the revocation at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest

from adapters.kv.revocation_list import RedisRevocationList
from adapters.memory.revocation_list import MemoryRevocationList
from domain.ids import SessionId, UserId, new_session_id, new_user_id
from domain.ports.revocation_list import RevocationList
from domain.sessions import AccessClaims
from tests.redis_servers import shared_redis
from tests.task_bound import entered_in_own_task

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ACCESS_TTL = timedelta(minutes=15)
UNTIL = NOW + ACCESS_TTL


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def revocations(request: pytest.FixtureRequest) -> AsyncIterator[RevocationList]:
    if request.param == "memory":
        yield MemoryRevocationList()
        return
    async with entered_in_own_task(started_on_shared_redis()) as revocation_list:
        yield revocation_list


@asynccontextmanager
async def started_on_shared_redis() -> AsyncIterator[RedisRevocationList]:
    async with shared_redis() as (client, prefix):
        revocation_list = RedisRevocationList(client, prefix)
        await revocation_list.start()
        try:
            yield revocation_list
        finally:
            await revocation_list.stop()


def claims(
    *, user_id: UserId | None = None, session_id: SessionId | None = None, issued_at: datetime = NOW
) -> AccessClaims:
    return AccessClaims(
        subject=user_id or new_user_id(),
        session_id=session_id or new_session_id(),
        roles=("user",),
        issued_at=issued_at,
        expires_at=issued_at + ACCESS_TTL,
    )


async def test_a_revoked_session_revokes_its_tokens_and_no_others(revocations: RevocationList) -> None:
    user_id, session_id = new_user_id(), new_session_id()

    await revocations.revoke_sessions([session_id], until=UNTIL)

    assert revocations.is_revoked(claims(user_id=user_id, session_id=session_id), NOW)
    assert revocations.is_revoked(
        claims(user_id=user_id, session_id=session_id, issued_at=NOW + timedelta(minutes=1)), NOW
    )
    assert not revocations.is_revoked(claims(user_id=user_id), NOW)
    assert not revocations.is_revoked(claims(), NOW)


async def test_several_sessions_are_revoked_by_one_call(revocations: RevocationList) -> None:
    session_ids = [new_session_id() for _ in range(3)]

    await revocations.revoke_sessions(session_ids, until=UNTIL)

    assert all(revocations.is_revoked(claims(session_id=session_id), NOW) for session_id in session_ids)


async def test_revoking_no_sessions_changes_nothing(revocations: RevocationList) -> None:
    await revocations.revoke_sessions([], until=UNTIL)

    assert not revocations.is_revoked(claims(), NOW)


async def test_a_user_entry_revokes_the_users_tokens_issued_before_it(revocations: RevocationList) -> None:
    user_id = new_user_id()

    await revocations.revoke_user(user_id, issued_before=NOW, until=UNTIL)

    assert revocations.is_revoked(claims(user_id=user_id, issued_at=NOW - timedelta(seconds=1)), NOW)
    assert revocations.is_revoked(claims(user_id=user_id, issued_at=NOW - timedelta(minutes=10)), NOW)
    assert not revocations.is_revoked(claims(user_id=user_id, issued_at=NOW + timedelta(seconds=1)), NOW)
    assert not revocations.is_revoked(claims(issued_at=NOW - timedelta(seconds=1)), NOW)


async def test_a_token_issued_in_the_same_second_as_the_user_entry_is_not_revoked_by_it(
    revocations: RevocationList,
) -> None:
    user_id = new_user_id()

    await revocations.revoke_user(user_id, issued_before=NOW + timedelta(milliseconds=700), until=UNTIL)

    assert not revocations.is_revoked(claims(user_id=user_id, issued_at=NOW), NOW)
    assert not revocations.is_revoked(claims(user_id=user_id, issued_at=NOW + timedelta(milliseconds=300)), NOW)
    assert revocations.is_revoked(claims(user_id=user_id, issued_at=NOW - timedelta(seconds=1)), NOW)


async def test_entries_stop_counting_after_until(revocations: RevocationList) -> None:
    user_id, session_id = new_user_id(), new_session_id()
    issued_earlier = NOW - timedelta(minutes=1)

    await revocations.revoke_sessions([session_id], until=UNTIL)
    await revocations.revoke_user(user_id, issued_before=NOW, until=UNTIL)

    for moment, revoked in [(UNTIL - timedelta(seconds=1), True), (UNTIL, True), (UNTIL + timedelta(seconds=1), False)]:
        assert revocations.is_revoked(claims(session_id=session_id), moment) is revoked
        assert revocations.is_revoked(claims(user_id=user_id, issued_at=issued_earlier), moment) is revoked


async def test_revoking_a_session_twice_is_harmless_and_never_shortens_it(revocations: RevocationList) -> None:
    session_id = new_session_id()
    later = UNTIL + timedelta(minutes=5)

    await revocations.revoke_sessions([session_id], until=later)
    await revocations.revoke_sessions([session_id], until=UNTIL)

    assert revocations.is_revoked(claims(session_id=session_id), UNTIL + timedelta(minutes=1))
    assert not revocations.is_revoked(claims(session_id=session_id), later + timedelta(seconds=1))


async def test_a_second_user_entry_adds_to_the_first(revocations: RevocationList) -> None:
    user_id = new_user_id()
    first = NOW - timedelta(minutes=5)

    await revocations.revoke_user(user_id, issued_before=NOW, until=UNTIL)
    await revocations.revoke_user(user_id, issued_before=first, until=UNTIL + timedelta(minutes=5))

    assert revocations.is_revoked(claims(user_id=user_id, issued_at=NOW - timedelta(minutes=1)), NOW)
    assert revocations.is_revoked(
        claims(user_id=user_id, issued_at=first - timedelta(minutes=1)), UNTIL + timedelta(minutes=1)
    )
    assert not revocations.is_revoked(
        claims(user_id=user_id, issued_at=NOW - timedelta(minutes=1)), UNTIL + timedelta(minutes=1)
    )


async def test_many_expired_entries_leave_the_live_ones_intact(revocations: RevocationList) -> None:
    expired = [new_session_id() for _ in range(3000)]
    live, user_id = new_session_id(), new_user_id()
    later = UNTIL + timedelta(hours=1)
    await revocations.revoke_sessions(expired, until=UNTIL)
    await revocations.revoke_sessions([live], until=later)
    await revocations.revoke_user(user_id, issued_before=NOW, until=later)

    moment = UNTIL + timedelta(minutes=1)

    assert not revocations.is_revoked(claims(session_id=expired[0]), moment)
    assert revocations.is_revoked(claims(session_id=live), moment)
    assert revocations.is_revoked(claims(user_id=user_id, issued_at=NOW - timedelta(minutes=1)), moment)
    assert not any(revocations.is_revoked(claims(session_id=session_id), moment) for session_id in expired)
