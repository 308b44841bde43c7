"""ThrottleRequest: refusals are published, so that the metrics count them."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.clock import FrozenClock
from adapters.memory.rate_limiter import MemoryRateLimiter
from application.ops.throttle_request import ThrottleRequest, ThrottleRequestHandler
from domain.events import DomainEvent, RequestThrottled
from domain.throttling import ThrottlePolicy
from tests.builders import NOW


class _Published:
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.events.extend(events)


async def test_a_refused_request_is_published_with_the_limit_that_refused_it() -> None:
    published = _Published()
    handler = ThrottleRequestHandler(
        MemoryRateLimiter(), FrozenClock(NOW), ThrottlePolicy(requests_per_minute=3, sensitive_per_minute=1), published
    )

    outcomes = [await handler.handle(ThrottleRequest(client_ip="192.0.2.1", sensitive=True)) for _ in range(2)]
    assert published.events == [RequestThrottled(limit="sensitive", occurred_at=NOW)]
    outcomes += [await handler.handle(ThrottleRequest(client_ip="192.0.2.1", sensitive=False)) for _ in range(2)]

    assert [outcome.allowed for outcome in outcomes] == [True, False, True, False]
    assert published.events == [
        RequestThrottled(limit="sensitive", occurred_at=NOW),
        RequestThrottled(limit="ip", occurred_at=NOW),
    ]
