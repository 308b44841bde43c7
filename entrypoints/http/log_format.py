"""The two formats of every log line (BASTION_LOG_FORMAT): `text` for people, `json` for collectors.

Both name the request being served (`request_id`, from `current_request_id`) on every line written
while it is served. Neither adds anything a client sent beyond what the message already holds, and
the handler (`log_output`) escapes control characters, so a line stays one line.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import msgspec

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
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id is not None:
            line["request_id"] = request_id
        for field in _REQUEST_FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(line).decode()


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
        "handlers": {"lines": {"class": "entrypoints.http.log_output.LoopBatchedStreamHandler", "formatter": "lines"}},
        "loggers": {
            "uvicorn": {"handlers": ["lines"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            **QUIET_LIBRARIES,
        },
        "root": {"handlers": ["lines"], "level": "INFO"},
    }
