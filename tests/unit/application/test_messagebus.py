"""MessageBus: each event goes to the subscribers of its type, in order; a failing one stops no other."""

from __future__ import annotations

import pytest

from application.messagebus import MessageBus
from domain.events import DomainEvent, SessionsRevoked, UserRevoked
from domain.ids import SessionId, UserId
from tests.builders import NOW

REVOKED = SessionsRevoked(session_ids=(SessionId("s1"),), occurred_at=NOW)
USER_REVOKED = UserRevoked(user_id=UserId("u1"), occurred_at=NOW)


class _SubscriberFailedError(Exception):
    pass


class _Recorder:
    def __init__(self, name: str, seen: list[tuple[str, DomainEvent]]) -> None:
        self._name, self._seen = name, seen

    async def __call__(self, event: DomainEvent) -> None:
        self._seen.append((self._name, event))


async def test_subscribers_run_in_the_order_they_subscribed_event_after_event() -> None:
    seen: list[tuple[str, DomainEvent]] = []
    bus = MessageBus()
    bus.subscribe(SessionsRevoked, _Recorder("first", seen))
    bus.subscribe(SessionsRevoked, _Recorder("second", seen))
    bus.subscribe(UserRevoked, _Recorder("user", seen))

    await bus.publish([REVOKED, USER_REVOKED])

    assert seen == [("first", REVOKED), ("second", REVOKED), ("user", USER_REVOKED)]


async def test_an_event_without_subscribers_is_ignored() -> None:
    await MessageBus().publish([REVOKED])


async def test_a_failing_subscriber_keeps_no_other_from_running_and_its_error_is_raised_at_the_end() -> None:
    seen: list[tuple[str, DomainEvent]] = []
    failure = _SubscriberFailedError()

    async def failing(event: SessionsRevoked) -> None:
        raise failure

    bus = MessageBus()
    bus.subscribe(SessionsRevoked, failing)
    bus.subscribe(SessionsRevoked, _Recorder("after", seen))
    bus.subscribe(UserRevoked, _Recorder("user", seen))

    with pytest.raises(_SubscriberFailedError) as raised:
        await bus.publish([REVOKED, USER_REVOKED])

    assert raised.value is failure
    assert seen == [("after", REVOKED), ("user", USER_REVOKED)]
