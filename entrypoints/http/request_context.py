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
from typing import Any, Protocol

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


# What a request hands its log line over as: when it ended (`time.perf_counter()`), its duration in
# seconds, its request id (plain: `_ACCEPTED` or made here), method, route template and status.
LineValues = tuple[float, float, str, str, str, int]


class RequestLog(Protocol):
    """Where each request's line goes (`log_format.RequestLines`): `append` takes its values."""

    append: Callable[[LineValues], None]


class RequestContextMiddleware:
    """The outermost layer of the HTTP application (around routing and error handling, so that a
    404 of the router carries the id too): sets the request id for the request's duration, and
    hands each request's method, route template, status and duration to `observe` (the metrics)
    and `log` (the per-request log line) when given. The `X-Request-ID` header itself is added by
    the security-headers hook, which sees every response start anyway.

    This runs on every request, so it does as little as it can: no send wrapper at all (the status
    is the one `note_status` left in the scope), no clock unless lines are logged or requests
    observed, the line's values handed over in one tuple (no call of Python code when the log's
    `append` is a queue's), and ids made from a random per-process prefix and a counter (unique,
    not secret: nothing may trust a request id)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        addresses: ClientAddresses,
        log: RequestLog | None = None,
        observe: RequestObserver | None = None,
    ) -> None:
        self._app, self._addresses, self._log, self._observe = app, addresses, log, observe
        self._timed = log is not None or observe is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        token = current_request_id.set(request_id)
        # In this one coroutine: a second one, awaited per request, would cost more than the clock.
        started = time.perf_counter() if self._timed else 0.0
        try:
            await self._app(scope, receive, send)
        finally:
            if self._timed:
                ended = time.perf_counter()
                seconds = ended - started
                fields: Any = scope
                method, route = fields.get("method", "-"), fields.get("path_template") or UNROUTED
                status = fields.get(RESPONSE_STATUS, 0)
                if self._observe is not None:
                    self._observe(method, route, status, seconds)
                if self._log is not None:
                    self._log.append((ended, seconds, request_id, method, route, status))
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
