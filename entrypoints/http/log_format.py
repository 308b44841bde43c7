"""The two formats of every log line (BASTION_LOG_FORMAT): `text` for people, `json` for collectors.

Both name the request being served (`request_id`, from `current_request_id`) on every line written
while it is served. Neither adds anything a client sent beyond what the message already holds, and
the handler (`log_output`) escapes control characters, so a line stays one line.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from typing import Any

import msgspec

from entrypoints.http.log_output import SERVER_FLUSH_INTERVAL, LoopBatchedStreamHandler
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
    own `LoopBatchedStreamHandler` (as `bastion serve` configures it), and nothing filters, the line
    is formatted here, exactly as the formatter would, and handed to those handlers directly.
    Anything else (a handler or filter of the operator's own) gets a regular record."""

    def __init__(self) -> None:
        # Resolved at the first request, once the server has configured logging.
        self._direct: list[LoopBatchedStreamHandler] | None = None
        self._second, self._stamp = -1, ""

    def __call__(self, method: str, route: str, status: int, seconds: float) -> None:
        if self._direct is None:
            self._direct = _direct_handlers(request_logger)
        duration_ms = round(seconds * 1000, 2)
        message = f"{method} {route} {status} {duration_ms:.2f} ms"
        if not self._direct:
            fields = {"method": method, "route": route, "status": status, "duration_ms": duration_ms}
            request_logger.info("%s", message, extra=fields)
            return
        for handler in self._direct:
            if isinstance(handler.formatter, JsonFormatter):
                # JSON: no control character can be in it unescaped.
                handler.emit_line(self._json_line(message, method, route, status, duration_ms), escaped=True)
            else:
                handler.emit_line(self._text_line(message))

    def _json_line(self, message: str, method: str, route: str, status: int, duration_ms: float) -> str:
        # The values need no JSON escaping: a method the HTTP parser accepted (token characters), a
        # route template of the service, a checked request id, numbers. Anything else takes the
        # encoder (a method outside the usual ones, say).
        now = time.time()
        stamp = f"{self._stamp_of(now, '%Y-%m-%dT%H:%M:%S', time.gmtime)}.{int(now % 1 * 1000):03d}+00:00"
        request_id = current_request_id.get()
        if method in _PLAIN_METHODS and request_id is not None and _PLAIN.fullmatch(route):
            return (
                f'{{"time":"{stamp}","level":"INFO","logger":"bastion.http","message":"{message}",'
                f'"request_id":"{request_id}","method":"{method}","route":"{route}","status":{status},'
                f'"duration_ms":{duration_ms}}}'
            )
        line = json_line_head(stamp, "INFO", request_logger.name, message, request_id)
        line |= {"method": method, "route": route, "status": status, "duration_ms": duration_ms}
        return msgspec.json.encode(line).decode()

    def _text_line(self, message: str) -> str:
        now = time.time()
        stamp = f"{self._stamp_of(now, '%Y-%m-%d %H:%M:%S', time.localtime)},{int(now % 1 * 1000):03d}"
        request_id = current_request_id.get()
        in_request = "" if request_id is None else f"request_id={request_id} - "
        return f"INFO - {stamp} - {request_logger.name} - {_MODULE} - {in_request}{message}"

    def _stamp_of(self, now: float, pattern: str, convert: Any) -> str:
        second = int(now)
        if second != self._second:
            self._second, self._stamp = second, time.strftime(pattern, convert(second))
        return self._stamp


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
