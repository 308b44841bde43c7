"""The two formats of every log line (BASTION_LOG_FORMAT): `text` for people, `json` for collectors.

Both name the request being served (`request_id`, from `current_request_id`) on every line written
while it is served. Neither adds anything a client sent beyond what the message already holds, and
the handler (`log_output`) escapes control characters, so a line stays one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from threading import get_ident
from typing import Any

import msgspec

from entrypoints.http.log_output import SERVER_FLUSH_INTERVAL, LoopBatchedStreamHandler, one_line
from entrypoints.http.request_context import LineValues, current_request_id

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
    with its formatter costs 10 to 20 µs. So when the one handler the logger reaches is the
    service's own `LoopBatchedStreamHandler` (as `bastion serve` configures it), and nothing
    filters, a request only appends the line's values to a queue of that handler (`add_source`):
    `append` is then the queue's own `append`, and the handler renders the waiting lines together
    when it writes them, exactly as the formatter would. While the application runs (`start` to
    `stop`, its startup and shutdown hooks), a task of its event loop writes the queue every
    interval of the handler; outside that, or with several such handlers, each line makes sure its
    handler will write it. Anything else (a handler or filter of the operator's own) gets a regular
    record at once. The sinks are resolved at the first line, once the server has configured
    logging."""

    def __init__(self) -> None:
        # Takes one request's values (`LineValues`); replaced by the path chosen at the first line.
        self.append: Callable[[LineValues], None] = self._first_line
        # Each handler's queue; empty: use a record. None until the first line.
        self._sinks: list[tuple[deque[LineValues], LoopBatchedStreamHandler]] | None = None
        self._writer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Write the queued lines from a task of the running loop, so a request only appends."""
        self._writer = asyncio.get_running_loop().create_task(self._write_regularly())
        self.append = self._first_line

    async def stop(self) -> None:
        """Stop the task and write what waits (a failed write is reported, not raised: the other
        shutdown hooks still run); later lines make sure of their own writing again."""
        self.append = self._first_line
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        for _, handler in self._sinks or ():
            handler.flush_reporting()

    async def _write_regularly(self) -> None:
        while True:
            sinks = self._sinks or ()
            await asyncio.sleep(min((handler.interval for _, handler in sinks), default=SERVER_FLUSH_INTERVAL))
            for queue, handler in sinks:
                if queue:
                    handler.flush_reporting()

    def _first_line(self, values: LineValues) -> None:
        sinks = self._sinks
        if sinks is None:
            sinks = self._sinks = self._register()
        if not sinks:
            self.append = self._record
        elif self._writer is not None and len(sinks) == 1 and sinks[0][1].interval > 0:
            self.append = sinks[0][0].append
        else:
            self.append = self._queue_and_schedule
        self.append(values)

    def _queue_and_schedule(self, values: LineValues) -> None:
        for queue, handler in self._sinks or ():
            queue.append(values)
            # Read without the lock: at worst `schedule` is called when not needed (it checks again).
            loop = handler.flush_loop
            if loop is None or handler.flush_thread != get_ident() or not loop.is_running():
                handler.schedule()

    @staticmethod
    def _record(values: LineValues) -> None:
        _, seconds, _, method, route, status = values
        duration = _duration_text(seconds)
        fields = {"method": method, "route": route, "status": status, "duration_ms": float(duration)}
        request_logger.info("%s %s %s %s ms", method, route, status, duration, extra=fields)

    def _register(self) -> list[tuple[deque[LineValues], LoopBatchedStreamHandler]]:
        sinks: list[tuple[deque[LineValues], LoopBatchedStreamHandler]] = []
        for handler in _direct_handlers(request_logger):
            queue: deque[LineValues] = deque()
            handler.add_source(queue, _JsonLines() if isinstance(handler.formatter, JsonFormatter) else _TextLines())
            sinks.append((queue, handler))
        return sinks


# Routes are the service's templates and statuses a few dozen: this bound is never reached in practice.
_MAX_KEPT_PARTS = 4096
# Durations are written in hundredths of a millisecond; the text of those below 100 ms is made once
# (indexed by the hundredths: a duration is never negative, the clock being monotonic).
_tabled_durations: list[str] = []


def _wall_clock_offset() -> float:
    """What to add to a `time.perf_counter()` reading for the time of day (`time.time()`)."""
    return time.time() - time.perf_counter()


def _duration_table() -> list[str]:
    """The text of every duration below 100 ms to the hundredth of a millisecond ("0.00" to
    "99.99"), made once per process when the first renderer is (about 0.6 MB)."""
    if not _tabled_durations:
        _tabled_durations.extend(f"{whole}.{hundredths:02d}" for whole in range(100) for hundredths in range(100))
    return _tabled_durations


def _duration_text(seconds: float) -> str:
    """`seconds` (never negative) in milliseconds to the hundredth, halves rounded up ("12.35"), as
    every request line writes it."""
    hundredths = int(seconds * 100_000 + 0.5)
    whole, fraction = divmod(hundredths, 100)
    return f"{whole}.{fraction:02d}"


class _JsonLines:
    """The JSON lines of a batch of requests, rendered in one frame: per line, the time stamp (made
    once a millisecond, with the line's opening), the duration (from a table of texts), the request
    id, and the fixed text of its (method, route, status), kept once made. The loop does the least
    Python it can per line (bench/README.md): a clock comparison instead of the stamp's millisecond
    while it holds, no `int()` (a type call), no bounds check (an index out of the table, a route
    not seen yet or one that needs escaping take `_other_line`)."""

    def __init__(self) -> None:
        self._stamps = _Stamps('{"time":"%Y-%m-%dT%H:%M:%S.', '+00:00",', time.gmtime)
        self._durations = _duration_table()
        # The fixed parts of the line of each route, status and method seen (nested in that order:
        # cheaper to look up than a tuple key), when plain; else None.
        self._parts: dict[str, dict[int, dict[str, tuple[str, str] | None]]] = {}
        self._kept = 0

    def __call__(self, batch: list[LineValues]) -> list[str]:
        lines: list[str] = []
        append, stamps, known, durations, floor = lines.append, self._stamps, self._parts, self._durations, math.floor
        offset, stamp, limit = _wall_clock_offset(), "", -math.inf
        for ended, seconds, request_id, method, route, status in batch:
            if ended >= limit:
                stamp, limit = stamps.until(ended, offset)
            try:
                head, tail = known[route][status][method]  # type: ignore[misc]  # None: TypeError, below
                duration = durations[floor(seconds * 100_000 + 0.5)]
            except (KeyError, TypeError, IndexError):
                append(self._other_line(stamp, seconds, request_id, method, route, status))
                continue
            # As `_plain_line`, written out: a call per line costs more than the line's rendering.
            append(f'{stamp}{head}{duration} ms","request_id":"{request_id}{tail}{duration}}}')
        return lines

    def _other_line(self, stamp: str, seconds: float, request_id: str, method: str, route: str, status: int) -> str:
        """The line of a request whose parts are not kept yet or need escaping, or whose duration is
        past the table (100 ms and more)."""
        try:
            parts = self._parts[route][status][method]
        except KeyError:
            parts = self._plain_parts(method, route, status)
        duration = _duration_text(seconds)
        if parts is None:
            return self._encoded(stamp, method, route, status, duration, request_id)
        return _plain_line(stamp, parts, duration, request_id)

    @staticmethod
    def _encoded(stamp: str, method: str, route: str, status: int, duration: str, request_id: str) -> str:
        """The line through the JSON encoder: for a method or route that needs escaping. `stamp` is
        the stamp with the line's opening (`{"time":"...",`)."""
        message = f"{method} {route} {status} {duration} ms"
        fields = json_line_head(stamp[len('{"time":"') : -len('",')], "INFO", request_logger.name, message, request_id)
        fields |= {"method": method, "route": route, "status": status, "duration_ms": float(duration)}
        return one_line(msgspec.json.encode(fields).decode())

    def _plain_parts(self, method: str, route: str, status: int) -> tuple[str, str] | None:
        """The text of the JSON line before its duration, and between its request id and its second
        duration, for values that need no JSON escaping (a method the HTTP parser accepted, a route
        template of the service); None for anything else (a method outside the usual ones, say),
        which takes the encoder."""
        parts = None
        if method in _PLAIN_METHODS and _PLAIN.fullmatch(route):
            parts = (
                f'"level":"INFO","logger":"bastion.http","message":"{method} {route} {status} ',
                f'","method":"{method}","route":"{route}","status":{status},"duration_ms":',
            )
        if self._kept < _MAX_KEPT_PARTS:
            self._parts.setdefault(route, {}).setdefault(status, {})[method] = parts
            self._kept += 1
        return parts


def _plain_line(stamp: str, parts: tuple[str, str], duration: str, request_id: str) -> str:
    """The JSON line of plain values, from its parts (`_JsonLines._plain_parts`)."""
    head, tail = parts
    return f'{stamp}{head}{duration} ms","request_id":"{request_id}{tail}{duration}}}'


class _TextLines:
    """The text lines of a batch of requests, as `TextFormatter` writes them."""

    def __init__(self) -> None:
        self._stamps = _Stamps("%Y-%m-%d %H:%M:%S,", "", time.localtime)
        self._durations = _duration_table()

    def __call__(self, batch: list[LineValues]) -> list[str]:
        lines: list[str] = []
        append, stamps, durations, floor = lines.append, self._stamps, self._durations, math.floor
        offset, stamp, limit = _wall_clock_offset(), "", -math.inf
        prefix = f" - {request_logger.name} - {_MODULE} - request_id="
        for ended, seconds, request_id, method, route, status in batch:
            if ended >= limit:
                stamp, limit = stamps.until(ended, offset)
            try:
                duration = durations[floor(seconds * 100_000 + 0.5)]
            except IndexError:
                duration = _duration_text(seconds)
            append(one_line(f"INFO - {stamp}{prefix}{request_id} - {method} {route} {status} {duration} ms"))
        return lines


class _Stamps:
    """The time of a line to the millisecond in one format: `head` (a `strftime` pattern) formatted
    once a second, then the three digits of the millisecond and `tail`, from a table; `stamp` is
    the stamp of `millisecond` (since the epoch), moved on by `move_to`."""

    def __init__(self, head: str, tail: str, convert: Callable[[float], time.struct_time]) -> None:
        self._head, self._convert = head, convert
        self._ends = [f"{millisecond:03d}{tail}" for millisecond in range(1000)]
        self._second, self._start = -1, ""
        self.millisecond, self.stamp = -1, ""

    def until(self, ended: float, offset: float) -> tuple[str, float]:
        """The stamp of a line that ended at `ended` (a `time.perf_counter()` reading; `ended +
        offset` is its time of day), and a reading before which every line ending later has this
        stamp too: `_STAMP_MARGIN` before the next millisecond, so that the rounding of this
        arithmetic never keeps a line in a millisecond it has left (a line in the margin asks
        again, and keeps the stamp)."""
        millisecond = math.floor((ended + offset) * 1000)
        if millisecond != self.millisecond:
            self.move_to(millisecond)
        return self.stamp, (millisecond + 1) / 1000 - offset - _STAMP_MARGIN

    def move_to(self, millisecond: int) -> None:
        second, fraction = divmod(millisecond, 1000)
        if second != self._second:
            self._second, self._start = second, time.strftime(self._head, self._convert(second))
        self.millisecond, self.stamp = millisecond, self._start + self._ends[fraction]


# Seconds: far above the rounding of a time of day in a float (a quarter of a microsecond in this
# century), far below a millisecond.
_STAMP_MARGIN = 1e-5
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
