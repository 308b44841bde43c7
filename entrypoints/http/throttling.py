"""Per-client-IP throttling of every request, with IETF RateLimit headers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.ops.throttle_request import Throttled, ThrottleRequest, ThrottleRequestHandler
from domain.throttling import ThrottlePolicy
from entrypoints.http.client_ip import client_ip
from entrypoints.http.problems import problem

# Route `opt` values: sensitive routes also count against the small login limit; exempt routes
# (liveness, readiness, forward-auth) are called by infrastructure far more often than by people.
THROTTLE_OPT = "throttle"
SENSITIVE = {THROTTLE_OPT: "sensitive"}
EXEMPT = {THROTTLE_OPT: "exempt"}


def _seconds(value: float) -> int:
    return max(0, math.ceil(value))


def rate_limit_headers(throttled: Throttled, policy: ThrottlePolicy) -> dict[str, str]:
    """`RateLimit-Policy` (every limit that applies) and `RateLimit` (the binding one), per the IETF
    httpapi RateLimit header fields draft, as structured fields."""
    window = _seconds(policy.window.total_seconds())
    policies = ", ".join(f'"{o.policy}";q={o.decision.limit};w={window}' for o in throttled.outcomes)
    name, decision = throttled.binding.policy, throttled.binding.decision
    remaining = f'"{name}";r={decision.remaining};t={_seconds(decision.reset_after.total_seconds())}'
    return {"RateLimit-Policy": policies, "RateLimit": remaining}


class ThrottleMiddleware(ASGIMiddleware):
    """Counts each request against the client's limits before it reaches its route.

    A refused request gets a 429 problem document with `Retry-After`; every throttled response
    carries the RateLimit headers.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, handler: Callable[[], ThrottleRequestHandler], policy: ThrottlePolicy) -> None:
        self._handler, self._policy = handler, policy

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        kind = scope["route_handler"].opt.get(THROTTLE_OPT)
        if kind == "exempt" or scope.get("method") == "OPTIONS":
            await next_app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope)
        throttled = await self._handler().handle(
            ThrottleRequest(client_ip=client_ip(request), sensitive=kind == "sensitive")
        )
        if not throttled.outcomes:
            await next_app(scope, receive, send)
            return
        headers = rate_limit_headers(throttled, self._policy)
        if not throttled.allowed:
            retry_after = _seconds(throttled.binding.decision.retry_after.total_seconds())
            raise problem(
                429,
                "too_many_requests",
                "Too many requests. Try again later.",
                headers={**headers, "Retry-After": str(max(1, retry_after))},
            )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        await next_app(scope, receive, send_with_headers)
