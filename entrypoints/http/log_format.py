"""The two formats of every log line (BASTION_LOG_FORMAT): `text` for people, `json` for collectors.

Both name the request being served (`request_id`, from `current_request_id`) on every line written
while it is served. Neither adds anything a client sent beyond what the message already holds, and
the handler (`log_output`) escapes control characters, so a line stays one line.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from threading import get_ident
from typing import Any

import msgspec

from entrypoints.http.log_output import SERVER_FLUSH_INTERVAL, LoopBatchedStreamHandler, one_line
from entrypoints.http.request_context import current_request_id

# Fields the per-request line carries besides its message (see `request_context`).
_REQUEST_FIELDS = ("method", "route", "status", "duration_ms")
_TEXT = "%(levelname)s - %(asctime)s - %(name)s - %(module)s - %(message)s"
_TEXT_IN_REQUEST = "%(levelname)s - %(asctime)s - %(name)s - %(module)s - request_id=%(request_id)s - %(message)s"


class TextFormatter(logging.Formatter):
    """`LEVEL - time - logger - module - message`, with `request_id=<id>` before the message while a
    request is served."""

    def __init__(self) -> None:
        super().__init__(_TEXT)
        self._in_request = logging.Formatter(_TEXT_IN_REQUEST)

    def format(self, record: logging.LogRecord) -> str:
        request_id = current_request_id.get()
        if request_id is None:
            return super().format(record)
        record.request_id = request_id
        return self._in_request.format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: `time` (RFC 3339, UTC), `level`, `logger`, `message`, `request_id`
    while a request is served, the per-request fields when present, and `exception` (the traceback
    as text) when one is logged."""

    def format(self, record: logging.LogRecord) -> str:
        time_text = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        line = json_line_head(time_text, record.levelname, record.name, record.getMessage(), current_request_id.get())
        for field in _REQUEST_FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(line).decode()


def json_line_head(time_text: str, level: str, logger: str, message: str, request_id: str | None) -> dict[str, Any]:
    """The fields every JSON line starts with, in their order; `request_id` only while a request is served."""
    line: dict[str, Any] = {"time": time_text, "level": level, "logger": logger, "message": message}
    if request_id is not None:
        line["request_id"] = request_id
    return line


# httpx logs every request with its full URL at INFO: a webhook URL may carry the receiver's credential.
QUIET_LIBRARIES: dict[str, Any] = {"httpx": {"level": "WARNING"}}


def formatter_class(json_lines: bool) -> type[logging.Formatter]:
    return JsonFormatter if json_lines else TextFormatter


def server_log_config(json_lines: bool) -> dict[str, Any]:
    """The logging of the ASGI server's own lines (start, stop, errors), in the format of the rest."""
    formatter = formatter_class(json_lines)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"lines": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "lines": {
                "class": "entrypoints.http.log_output.LoopBatchedStreamHandler",
                "formatter": "lines",
                "interval": SERVER_FLUSH_INTERVAL,
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["lines"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            **QUIET_LIBRARIES,
        },
        "root": {"handlers": ["lines"], "level": "INFO"},
    }


request_logger = logging.getLogger("bastion.http")


class RequestLines:
    """The per-request line on the logger `bastion.http` (BASTION_LOG_REQUESTS): method, route
    template, status, duration in milliseconds, and the request id, in the configured format.

    A line per request must cost next to nothing (bench/README.md: on vs off), and a `LogRecord`
    with its formatter costs 10 to 20 µs. So when every handler the logger reaches is the service's
    own `LoopBatchedStreamHandler` (as `bastion serve` configures it), and nothing filters, the
    request only appends the line's values (and the time) to a queue of each handler
    (`add_source`), which renders the waiting lines together when it writes them, exactly as the
    formatter would. Anything else (a handler or filter of the operator's own) gets a regular
    record."""

    def __init__(self) -> None:
        # Each handler's queue, resolved at the first request, once the server has configured
        # logging; empty: use a record.
        self._sinks: list[tuple[deque[_Values], LoopBatchedStreamHandler]] | None = None

    def __call__(self, method: str, route: str, status: int, seconds: float) -> None:
        sinks = self._sinks
        if sinks is None:
            sinks = self._sinks = self._register()
        if not sinks:
            duration_ms = round(seconds * 1000, 2)
            fields = {"method": method, "route": route, "status": status, "duration_ms": duration_ms}
            request_logger.info("%s %s %s %.2f ms", method, route, status, duration_ms, extra=fields)
            return
        values = (time.time(), method, route, status, seconds, current_request_id.get())
        for queue, handler in sinks:
            queue.append(values)
            # Read without the lock: at worst `schedule` is called when not needed (it checks again).
            loop = handler.flush_loop
            if loop is None or handler.flush_thread != get_ident() or not loop.is_running():
                handler.schedule()

    def _register(self) -> list[tuple[deque[_Values], LoopBatchedStreamHandler]]:
        sinks: list[tuple[deque[_Values], LoopBatchedStreamHandler]] = []
        for handler in _direct_handlers(request_logger):
            queue: deque[_Values] = deque()
            handler.add_source(queue, _JsonLines() if isinstance(handler.formatter, JsonFormatter) else _TextLines())
            sinks.append((queue, handler))
        return sinks


# What a per-request line is queued as: the time, method, route, status, seconds, request id.
_Values = tuple[float, str, str, int, float, str | None]
# What `_JsonLines._parts` gives for a key not seen yet.
_UNSEEN: Any = object()
# Routes are the service's templates and statuses a few dozen: this bound is never reached in practice.
_MAX_KEPT_PARTS = 4096


class _JsonLines:
    """The JSON lines of a batch of requests, rendered in one frame: per line, the time stamp (made
    once a millisecond), the duration, the request id, and the fixed text of its (method, route,
    status), kept once made."""

    def __init__(self) -> None:
        self._stamps = _Stamps("%Y-%m-%dT%H:%M:%S.", "+00:00", time.gmtime)
        # The fixed parts of the line of each (method, route, status) seen, when plain; else None.
        self._parts: dict[tuple[str, str, int], tuple[str, str] | None] = {}

    def __call__(self, batch: list[_Values]) -> list[str]:
        lines, stamps, known = [], self._stamps, self._parts
        for now, method, route, status, seconds, request_id in batch:
            if int(now * 1000) != stamps.millisecond:
                stamps.move_to(now)
            duration = f"{seconds * 1000:.2f}"
            key = (method, route, status)
            parts = known.get(key, _UNSEEN)
            if parts is _UNSEEN:
                parts = self._plain_parts(key)
            if parts is not None and request_id is not None:
                head, tail = parts
                lines.append(
                    f'{{"time":"{stamps.stamp}",{head}{duration} ms","request_id":"{request_id}",{tail}{duration}}}'
                )
            else:
                lines.append(self._encoded(stamps.stamp, method, route, status, duration, request_id))
        return lines

    def _encoded(self, stamp: str, method: str, route: str, status: int, duration: str, request_id: str | None) -> str:
        """The line through the JSON encoder: for values that need escaping, or no request id."""
        message = f"{method} {route} {status} {duration} ms"
        fields = json_line_head(stamp, "INFO", request_logger.name, message, request_id)
        fields |= {"method": method, "route": route, "status": status, "duration_ms": float(duration)}
        return msgspec.json.encode(fields).decode()

    def _plain_parts(self, key: tuple[str, str, int]) -> tuple[str, str] | None:
        """The text of the JSON line before and after its duration and request id, for values that
        need no JSON escaping (a method the HTTP parser accepted, a route template of the service);
        None for anything else (a method outside the usual ones, say), which takes the encoder."""
        method, route, status = key
        parts = None
        if method in _PLAIN_METHODS and _PLAIN.fullmatch(route):
            parts = (
                f'"level":"INFO","logger":"bastion.http","message":"{method} {route} {status} ',
                f'"method":"{method}","route":"{route}","status":{status},"duration_ms":',
            )
        if len(self._parts) < _MAX_KEPT_PARTS:
            self._parts[key] = parts
        return parts


class _TextLines:
    """The text lines of a batch of requests, as `TextFormatter` writes them."""

    def __init__(self) -> None:
        self._stamps = _Stamps("%Y-%m-%d %H:%M:%S,", "", time.localtime)

    def __call__(self, batch: list[_Values]) -> list[str]:
        lines, stamps = [], self._stamps
        prefix = f" - {request_logger.name} - {_MODULE} - "
        for now, method, route, status, seconds, request_id in batch:
            if int(now * 1000) != stamps.millisecond:
                stamps.move_to(now)
            in_request = "" if request_id is None else f"request_id={request_id} - "
            lines.append(
                one_line(f"INFO - {stamps.stamp}{prefix}{in_request}{method} {route} {status} {seconds * 1000:.2f} ms")
            )
        return lines


class _Stamps:
    """The time of a line to the millisecond in one format: `head` (a `strftime` pattern) formatted
    once a second, then the three digits of the millisecond and `tail`, from a table; `stamp` is
    the stamp of `millisecond`, moved on by `move_to`."""

    def __init__(self, head: str, tail: str, convert: Callable[[float], time.struct_time]) -> None:
        self._head, self._convert = head, convert
        self._ends = [f"{millisecond:03d}{tail}" for millisecond in range(1000)]
        self._second, self._start = -1, ""
        self.millisecond, self.stamp = -1, ""

    def move_to(self, now: float) -> None:
        millisecond = int(now * 1000)
        second, fraction = divmod(millisecond, 1000)
        if second != self._second:
            self._second, self._start = second, time.strftime(self._head, self._convert(second))
        self.millisecond, self.stamp = millisecond, self._start + self._ends[fraction]


_PLAIN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Characters that stand for themselves in a JSON string.
_PLAIN = re.compile(r"[A-Za-z0-9 ._:/{}()=+-]*")

# What `%(module)s` says of the request line: this module, where a record of it is made too.
_MODULE = "log_format"


def _direct_handlers(logger: logging.Logger) -> list[LoopBatchedStreamHandler]:
    """The handlers a line of `logger` at INFO reaches, when all are `LoopBatchedStreamHandler`s
    with a formatter of this module and no filter on the way; else none (use a record)."""
    if not logger.isEnabledFor(logging.INFO):
        return []
    found: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return []
        found += [handler for handler in current.handlers if handler.level <= logging.INFO]
        current = current.parent if current.propagate else None
    direct = [
        handler
        for handler in found
        if isinstance(handler, LoopBatchedStreamHandler)
        and not handler.filters
        and type(handler.formatter) in (TextFormatter, JsonFormatter)
    ]
    return direct if direct and len(direct) == len(found) else []
