"""FollowRevocations: a process learns the revocations that another process committed, from the
database's revocation log alone, seeds itself on its first run, and applies each entry once."""

from __future__ import annotations

from datetime import datetime, timedelta

from adapters.memory.clock import FrozenClock
from adapters.memory.revocation_list import MemoryRevocationList
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryReadOnlyUnitOfWork, MemoryUnitOfWork
from application.ops.follow_revocations import LOOKBACK, FollowRevocationsHandler
from domain.events import DomainEvent, RolesChanged, SessionsRevoked, UserRevoked
from domain.ids import SessionId, UserId
from domain.sessions import AccessClaims, SessionPolicy
from tests.backends import RecordingPublisher
from tests.builders import NOW

POLICY = SessionPolicy()
USER = UserId("u-1")


def _claims(session: str = "s-1", issued_at: datetime | None = None, user: str = USER) -> AccessClaims:
    issued = NOW - timedelta(minutes=1) if issued_at is None else issued_at
    return AccessClaims(
        subject=UserId(user), session_id=SessionId(session), roles=("user",), issued_at=issued,
        expires_at=issued + timedelta(minutes=15),
    )  # fmt: skip


async def _commit(store: MemoryStore, *events: DomainEvent) -> None:
    async with MemoryUnitOfWork(store, RecordingPublisher()) as uow:
        uow.record(*events)
        await uow.commit()


def _follower(store: MemoryStore, clock: FrozenClock) -> tuple[FollowRevocationsHandler, MemoryRevocationList]:
    revocations = MemoryRevocationList()
    handler = FollowRevocationsHandler(
        MemoryReadOnlyUnitOfWork(store), MemoryUnitOfWork(store, RecordingPublisher()), clock, revocations, POLICY
    )
    return handler, revocations


async def test_the_first_run_seeds_every_revocation_that_can_still_matter() -> None:
    store, clock = MemoryStore(), FrozenClock(NOW)
    too_old = NOW - POLICY.access_ttl - POLICY.revocation_margin - timedelta(seconds=1)
    await _commit(store, SessionsRevoked(session_ids=(SessionId("old"),), occurred_at=too_old))
    await _commit(store, SessionsRevoked(session_ids=(SessionId("s-1"),), occurred_at=NOW - timedelta(minutes=5)))
    await _commit(store, UserRevoked(user_id=UserId("deleted"), occurred_at=NOW - timedelta(minutes=1)))
    handler, revocations = _follower(store, clock)

    assert await handler.handle() == 2

    assert revocations.is_revoked(_claims("s-1"), NOW)
    assert revocations.is_revoked(_claims("s-9", NOW - timedelta(minutes=2), user="deleted"), NOW)
    assert not revocations.is_revoked(_claims("old"), NOW)


async def test_later_runs_apply_what_others_committed_once() -> None:
    store, clock = MemoryStore(), FrozenClock(NOW)
    handler, revocations = _follower(store, clock)
    await handler.handle()

    clock.advance(timedelta(seconds=1))
    await _commit(store, SessionsRevoked(session_ids=(SessionId("s-1"),), occurred_at=clock.now()))
    await _commit(store, RolesChanged(user_id=USER, roles=frozenset({"user"}), occurred_at=clock.now()))
    clock.advance(timedelta(milliseconds=500))

    assert await handler.handle() == 2
    assert await handler.handle() == 0
    assert revocations.is_revoked(_claims("s-1"), clock.now())
    assert revocations.is_revoked(_claims("s-2", issued_at=NOW), clock.now())


async def test_a_revocation_committed_late_with_an_earlier_stamp_is_still_picked_up() -> None:
    store, clock = MemoryStore(), FrozenClock(NOW)
    handler, revocations = _follower(store, clock)
    await handler.handle()
    clock.advance(timedelta(seconds=5))
    await handler.handle()

    stamped_before_the_last_run = clock.now() - LOOKBACK / 2
    await _commit(store, SessionsRevoked(session_ids=(SessionId("s-1"),), occurred_at=stamped_before_the_last_run))
    clock.advance(timedelta(milliseconds=500))

    assert await handler.handle() == 1
    assert revocations.is_revoked(_claims("s-1"), clock.now())


async def test_entries_too_old_to_matter_are_pruned() -> None:
    store, clock = MemoryStore(), FrozenClock(NOW)
    await _commit(store, UserRevoked(user_id=USER, occurred_at=NOW))
    handler, _ = _follower(store, clock)
    await handler.handle()
    assert len(store.revocation_log) == 1

    clock.advance(POLICY.access_ttl + POLICY.revocation_margin + LOOKBACK + timedelta(minutes=10))
    await handler.handle()

    assert store.revocation_log == []
