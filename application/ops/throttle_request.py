"""ThrottleRequest: count a request against the per-client limits."""

from __future__ import annotations

from dataclasses import dataclass

from application.messagebus import EventPublisher
from domain.events import RequestThrottled
from domain.ports.clock import Clock
from domain.ports.throttling import RateLimiter
from domain.throttling import RateDecision, ThrottlePolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottleRequest:
    client_ip: str
    sensitive: bool


@dataclass(frozen=True, slots=True)
class LimitOutcome:
    policy: str
    decision: RateDecision


@dataclass(frozen=True, slots=True)
class Throttled:
    """The decisions of the limits that apply, in the order they were counted."""

    outcomes: tuple[LimitOutcome, ...]

    @property
    def allowed(self) -> bool:
        return all(outcome.decision.allowed for outcome in self.outcomes)

    @property
    def binding(self) -> LimitOutcome:
        """The most restrictive outcome: a refusal, else the one with the fewest requests left."""
        return min(self.outcomes, key=lambda outcome: (outcome.decision.allowed, outcome.decision.remaining))


class ThrottleRequestHandler:
    """Count one request of a client against its limits.

    - Every request counts against the client's general limit; sensitive ones (login, token,
      registration, password reset and its confirmation) also against the much smaller sensitive limit.
    - A request refused by the general limit is not counted against the sensitive one.
    - A limit of 0 is off.
    - A refusal is published as `RequestThrottled` (there is no transaction to wait for).
    """

    def __init__(self, limiter: RateLimiter, clock: Clock, policy: ThrottlePolicy, events: EventPublisher) -> None:
        self._limiter, self._clock, self._policy, self._events = limiter, clock, policy, events

    async def handle(self, command: ThrottleRequest) -> Throttled:
        now = self._clock.now()
        outcomes: list[LimitOutcome] = []
        limits = [("ip", self._policy.requests_per_minute)]
        if command.sensitive:
            limits.append(("sensitive", self._policy.sensitive_per_minute))
        for name, limit in limits:
            if limit <= 0:
                continue
            decision = await self._limiter.hit(
                f"{name}:{command.client_ip}", limit=limit, window=self._policy.window, now=now
            )
            outcomes.append(LimitOutcome(name, decision))
            if not decision.allowed:
                await self._events.publish([RequestThrottled(limit=name, occurred_at=now)])
                break
        return Throttled(tuple(outcomes))
