"""Request ids and the per-request log line, around everything else the application does.

Every response carries `X-Request-ID`: the one a trusted proxy sent (a short, plain token), or a new
random one. While the request is served, `current_request_id` holds it, so problem documents carry
it as `request_id` and every log line written meanwhile names it (see `log_format`).
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from entrypoints.http.client_ip import ClientAddresses

current_request_id: ContextVar[str | None] = ContextVar("bastion_request_id", default=None)

_HEADER = b"x-request-id"
# 32 hex digits: 64 random bits for this process, then a 64-bit counter.
_PROCESS_PREFIX = os.urandom(8).hex()
_SEQUENCE = itertools.count(int.from_bytes(os.urandom(4)))
_ACCEPTED = re.compile(rb"[A-Za-z0-9._:+/=-]{1,128}")
# The route of a request no route matched (a 404 or 405 of the router): never its path.
UNROUTED = "(unrouted)"
# Where the security-headers hook, which sees every response start, notes the status in the scope:
# cheaper than wrapping `send` on every request.
RESPONSE_STATUS = "bastion.response_status"

# Told of each request answered: method, route template, status, seconds; called while the
# request id is still current.
RequestObserver = Callable[[str, str, int, float], None]


class RequestContextMiddleware:
    """The outermost layer of the HTTP application (around routing and error handling, so that a
    404 of the router carries the id too): sets the request id for the request's duration, and
    hands each request's method, route template, status and duration to `log_request` (the
    per-request log line) and `observe` (the metrics) when given. The `X-Request-ID` header itself
    is added by the security-headers hook, which sees every response start anyway.

    This runs on every request, so it does as little as it can: no send wrapper at all (the status
    is the one `note_status` left in the scope), no clock unless lines are logged or requests
    observed, and ids made from a random per-process prefix and a counter (unique, not secret:
    nothing may trust a request id)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        addresses: ClientAddresses,
        log_request: RequestObserver | None = None,
        observe: RequestObserver | None = None,
    ) -> None:
        self._app, self._addresses = app, addresses
        self._observers = tuple(observer for observer in (observe, log_request) if observer is not None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        token = current_request_id.set(self._request_id(scope))
        # In this one coroutine: a second one, awaited per request, would cost more than the clock.
        observers = self._observers
        started = time.perf_counter() if observers else 0.0
        try:
            await self._app(scope, receive, send)
        finally:
            if observers:
                seconds = time.perf_counter() - started
                fields: Any = scope
                method, route = fields.get("method", "-"), fields.get("path_template") or UNROUTED
                status = fields.get(RESPONSE_STATUS, 0)
                for observer in observers:
                    observer(method, route, status, seconds)
            current_request_id.reset(token)

    def _request_id(self, scope: Scope) -> str:
        if self._addresses.from_trusted_proxy(scope):
            for name, value in scope["headers"]:
                if name == _HEADER and _ACCEPTED.fullmatch(value):
                    return value.decode("ascii")
        return f"{_PROCESS_PREFIX}{next(_SEQUENCE):016x}"


def note_status(scope: Scope, status: int) -> None:
    """Record the status of the response being started, for the observers of the request."""
    fields: Any = scope
    fields[RESPONSE_STATUS] = status
