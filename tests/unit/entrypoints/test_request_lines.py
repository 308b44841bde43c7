"""RequestLines: the per-request line written without a LogRecord is the line the formatter writes."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from entrypoints.http.log_format import JsonFormatter, RequestLines, TextFormatter, request_logger
from entrypoints.http.log_output import LoopBatchedStreamHandler
from entrypoints.http.request_context import current_request_id

STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}")


@pytest.fixture
def request_id() -> Iterator[str]:
    token = current_request_id.set("0123456789abcdef")
    yield "0123456789abcdef"
    current_request_id.reset(token)


def _written(formatter: logging.Formatter, *, through_record: bool) -> str:
    """One request's line, through the direct path, or (a filter on the logger) through a record."""
    stream = io.StringIO()
    handler = LoopBatchedStreamHandler(stream)
    handler.setFormatter(formatter)
    saved = (request_logger.handlers, request_logger.propagate, request_logger.level, request_logger.filters)
    request_logger.handlers, request_logger.propagate, request_logger.level = [handler], False, logging.INFO
    if through_record:
        request_logger.addFilter(lambda record: True)
    try:
        RequestLines()("GET", "/tasks/{task_id}", 404, 0.012345)
    finally:
        request_logger.handlers, request_logger.propagate, request_logger.level = saved[:3]
        request_logger.filters = saved[3]
    return stream.getvalue()


@pytest.mark.parametrize("through_record", [False, True])
def test_the_json_line_has_the_fields_of_the_formatter(request_id: str, through_record: bool) -> None:
    line = _written(JsonFormatter(), through_record=through_record)

    assert line.endswith("\n")
    assert line.count("\n") == 1
    fields = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", fields.pop("time"))
    assert list(fields.items()) == [
        ("level", "INFO"),
        ("logger", "bastion.http"),
        ("message", "GET /tasks/{task_id} 404 12.35 ms"),
        ("request_id", request_id),
        ("method", "GET"),
        ("route", "/tasks/{task_id}"),
        ("status", 404),
        ("duration_ms", 12.35),
    ]


def test_the_text_line_is_the_formatters_line(request_id: str) -> None:
    direct = _written(TextFormatter(), through_record=False)
    recorded = _written(TextFormatter(), through_record=True)

    assert STAMP.sub("<time>", direct) == STAMP.sub("<time>", recorded)
    assert STAMP.sub("<time>", direct) == (
        f"INFO - <time> - bastion.http - log_format - request_id={request_id} - GET /tasks/{{task_id}} 404 12.35 ms\n"
    )


def test_request_lines_are_formatted_at_the_write_in_order_with_records_and_with_their_own_request_id() -> None:
    stream = io.StringIO()
    handler = LoopBatchedStreamHandler(stream, interval=0.01)
    handler.setFormatter(JsonFormatter())
    other = logging.getLogger("bastion.test.order")
    saved = (request_logger.handlers, request_logger.propagate, request_logger.level)
    request_logger.handlers, request_logger.propagate, request_logger.level = [handler], False, logging.INFO
    other.handlers, other.propagate, other.level = [handler], False, logging.INFO
    lines = RequestLines()

    async def serve() -> str:
        other.info("before")
        for request_id in ("first-request-id", "second-request-id"):
            token = current_request_id.set(request_id)
            lines("POST", "/auth/login", 200, 0.5)
            current_request_id.reset(token)
        other.info("after")
        waiting = stream.getvalue()
        await asyncio.sleep(0.05)
        return waiting

    try:
        waiting = asyncio.run(serve())
    finally:
        request_logger.handlers, request_logger.propagate, request_logger.level = saved
        other.handlers = []

    assert waiting == ""
    written = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in written] == [
        "before",
        "POST /auth/login 200 500.00 ms",
        "POST /auth/login 200 500.00 ms",
        "after",
    ]
    assert [line.get("request_id") for line in written] == [None, "first-request-id", "second-request-id", None]
