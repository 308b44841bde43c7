"""RequestLines: the per-request line written without a LogRecord is the line the formatter writes."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.http.log_format import JsonFormatter, RequestLines, TextFormatter, request_logger
from entrypoints.http.log_output import LoopBatchedStreamHandler
from entrypoints.http.request_context import LineValues, current_request_id

STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}")
JSON_TIME = re.compile(r'"time":"[^"]+"')


@pytest.fixture
def request_id() -> Iterator[str]:
    token = current_request_id.set("0123456789abcdef")
    yield "0123456789abcdef"
    current_request_id.reset(token)


@contextlib.contextmanager
def _request_lines_to(formatter: logging.Formatter, interval: float = 0.0) -> Iterator[io.StringIO]:
    """The logger `bastion.http` writing to a string through the serving process's handler, alone."""
    stream = io.StringIO()
    handler = LoopBatchedStreamHandler(stream, interval=interval)
    handler.setFormatter(formatter)
    saved = (request_logger.handlers, request_logger.propagate, request_logger.level, list(request_logger.filters))
    request_logger.handlers, request_logger.propagate, request_logger.level = [handler], False, logging.INFO
    try:
        yield stream
    finally:
        request_logger.handlers, request_logger.propagate, request_logger.level = saved[:3]
        request_logger.filters = saved[3]


def _values(route: str, *, request_id: str = "0123456789abcdef", seconds: float = 0.001) -> LineValues:
    """A request's line as the request-id middleware hands it over: ended now."""
    return (time.perf_counter(), seconds, request_id, "GET", route, 200)


def _written(
    formatter: logging.Formatter,
    *,
    through_record: bool,
    method: str = "GET",
    route: str = "/tasks/{task_id}",
    seconds: float = 0.012345,
) -> str:
    """One request's line, through the direct path, or (a filter on the logger) through a record."""
    with _request_lines_to(formatter) as stream:
        if through_record:
            request_logger.addFilter(lambda record: True)
        RequestLines().append((time.perf_counter(), seconds, "0123456789abcdef", method, route, 404))
    return stream.getvalue()


# A method and routes the service never has, but that would need escaping (quotes, backslashes,
# braces, control characters, line separators) or hold a character the renderer uses itself.
ODD = [
    ("GET", '/odd/"quoted"\\{x}}{{y}'),
    ("M\nX", "/line\nbreak\x1b[31m\u2028\x7f"),
    ("GET", "/private/\ue000\ue001\ue002"),
]


@pytest.mark.parametrize(("method", "route"), ODD)
def test_a_line_that_needs_escaping_is_the_formatters_line(request_id: str, method: str, route: str) -> None:
    direct = _written(JsonFormatter(), through_record=False, method=method, route=route)
    recorded = _written(JsonFormatter(), through_record=True, method=method, route=route)
    assert direct.count("\n") == 1
    assert JSON_TIME.sub("<time>", direct) == JSON_TIME.sub("<time>", recorded)
    assert (json.loads(direct)["method"], json.loads(direct)["route"]) == (method, route)

    direct = _written(TextFormatter(), through_record=False, method=method, route=route)
    recorded = _written(TextFormatter(), through_record=True, method=method, route=route)
    assert STAMP.sub("<time>", direct) == STAMP.sub("<time>", recorded)


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


# Around the ends of the table of durations (0.00 to 99.99 ms), and halves of a hundredth.
DURATIONS = [0.0, 0.000_004_9, 0.000_005, 0.012_345, 0.099_994_9, 0.099_995, 0.1, 1.5, 3600.0]


@pytest.mark.parametrize("seconds", DURATIONS)
def test_the_duration_is_in_milliseconds_to_the_hundredth_with_halves_rounded_up(
    request_id: str, seconds: float
) -> None:
    line = json.loads(_written(JsonFormatter(), through_record=False, seconds=seconds))
    expected = {0.0: "0.00", 0.000_004_9: "0.00", 0.000_005: "0.01", 0.012_345: "12.35", 0.099_994_9: "99.99"}
    expected |= {0.099_995: "100.00", 0.1: "100.00", 1.5: "1500.00", 3600.0: "3600000.00"}
    assert line["message"] == f"GET /tasks/{{task_id}} 404 {expected[seconds]} ms"
    assert line["duration_ms"] == float(expected[seconds])


@given(seconds=st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_any_duration_is_written_as_the_record_writes_it(seconds: float) -> None:
    token = current_request_id.set("0123456789abcdef")  # as while the request is served
    try:
        direct = _written(TextFormatter(), through_record=False, seconds=seconds)
        recorded = _written(TextFormatter(), through_record=True, seconds=seconds)
        assert STAMP.sub("<time>", direct) == STAMP.sub("<time>", recorded)
        direct = _written(JsonFormatter(), through_record=False, seconds=seconds)
        recorded = _written(JsonFormatter(), through_record=True, seconds=seconds)
        # The same fields, in the same order; the number may be spelled "1.00" or "1.0".
        assert list(json.loads(JSON_TIME.sub('"time":""', direct)).items()) == list(
            json.loads(JSON_TIME.sub('"time":""', recorded)).items()
        )
    finally:
        current_request_id.reset(token)


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
@given(seconds=st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_a_route_seen_before_is_written_as_its_first_line_was(formatter: logging.Formatter, seconds: float) -> None:
    # The first line of a route takes the renderer's slower path, the next ones its loop.
    lines = RequestLines()

    async def serve() -> None:
        ended = time.perf_counter()
        for _ in range(3):
            lines.append((ended, seconds, "0123456789abcdef", "GET", "/tasks/{task_id}", 404))
        request_logger.handlers[0].flush()

    with _request_lines_to(formatter, interval=3600) as stream:
        asyncio.run(serve())

    first, *later = stream.getvalue().splitlines()
    assert later == [first, first]


def test_lines_of_one_batch_each_have_their_own_method_route_and_status() -> None:
    requests = [
        ("GET", "/tasks/{task_id}", 200),
        ("GET", "/tasks/{task_id}", 404),
        ("DELETE", "/tasks/{task_id}", 204),
        ("DELETE", "/tasks/{task_id}", 404),
        ("GET", "/health", 200),
        ("GET", "/tasks/{task_id}", 200),
        ("BREW", "/health", 405),
    ]

    async def serve() -> None:
        for method, route, status in requests:
            lines.append((time.perf_counter(), 0.001, "0123456789abcdef", method, route, status))
        request_logger.handlers[0].flush()

    lines = RequestLines()
    with _request_lines_to(JsonFormatter(), interval=3600) as stream:
        asyncio.run(serve())

    written = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["method"], line["route"], line["status"]) for line in written] == requests
    assert [line["message"] for line in written] == [f"{m} {r} {s} 1.00 ms" for m, r, s in requests]


def test_request_lines_are_formatted_at_the_write_in_order_with_records_and_with_their_own_request_id() -> None:
    other = logging.getLogger("bastion.test.order")
    lines = RequestLines()

    async def serve() -> str:
        other.info("before")
        for request_id in ("first-request-id", "second-request-id"):
            lines.append((time.perf_counter(), 0.5, request_id, "POST", "/auth/login", 200))
        other.info("after")
        waiting = stream.getvalue()
        await asyncio.sleep(0.05)
        return waiting

    with _request_lines_to(JsonFormatter(), interval=0.01) as stream:
        other.handlers, other.propagate, other.level = request_logger.handlers, False, logging.INFO
        try:
            waiting = asyncio.run(serve())
        finally:
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


# Times one after the other that cross a millisecond, a second and a minute, and repeat a millisecond.
TIMES = [
    1_765_000_000.0004,
    1_765_000_000.0009,
    1_765_000_000.0011,
    1_765_000_000.9995,
    1_765_000_001.0002,
    1_765_000_059.9991,
    1_765_000_060.0,
]


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_the_time_of_each_line_is_the_formatters_time_across_milliseconds_and_seconds(
    formatter: logging.Formatter, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = RequestLines()

    async def serve() -> None:
        for ended in TIMES:
            lines.append((ended, 0.001, "0123456789abcdef", "GET", "/health", 200))
        with monkeypatch.context() as patch:
            # The clocks as the lines are written: the time of day is the monotonic clock's reading.
            patch.setattr(time, "time", lambda: 7.0)
            patch.setattr(time, "perf_counter", lambda: 7.0)
            request_logger.handlers[0].flush()

    with _request_lines_to(formatter, interval=3600) as stream:
        asyncio.run(serve())

    written = stream.getvalue().splitlines()
    if isinstance(formatter, JsonFormatter):
        stamps = [json.loads(line)["time"] for line in written]
        assert stamps == [datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds") for created in TIMES]
    else:
        stamps = [match.group() for line in written if (match := STAMP.search(line))]
        records = [logging.makeLogRecord({"created": at, "msecs": int((at - int(at)) * 1000)}) for at in TIMES]
        assert stamps == [formatter.formatTime(record) for record in records]


def test_a_request_line_left_by_a_loop_that_stopped_early_comes_out_before_the_next_loop_s() -> None:
    lines = RequestLines()

    async def one(route: str) -> None:
        lines.append(_values(route))

    with _request_lines_to(JsonFormatter(), interval=3600) as stream:
        asyncio.run(one("/first"))  # its batch waits an hour: the loop ends first
        assert stream.getvalue() == ""
        asyncio.run(one("/second"))  # same thread, another loop: the first loop's line goes out now, then its own
        written = stream.getvalue()

    assert [json.loads(line)["route"] for line in written.splitlines()] == ["/first", "/second"]


def test_a_record_from_a_thread_comes_after_the_request_lines_waiting_on_the_loop() -> None:
    lines = RequestLines()
    other = logging.getLogger("bastion.test.thread")

    async def serve() -> str:
        lines.append(_values("/first"))
        worker = threading.Thread(target=other.info, args=("from a thread",))
        worker.start()
        worker.join()
        written = stream.getvalue()  # the thread wrote at once, after the line that waited
        lines.append(_values("/second"))
        return written

    with _request_lines_to(JsonFormatter(), interval=3600) as stream:
        other.handlers, other.propagate, other.level = request_logger.handlers, False, logging.INFO
        try:
            written = asyncio.run(serve())
            request_logger.handlers[0].flush()
        finally:
            other.handlers = []

    assert [json.loads(line).get("route", "record") for line in written.splitlines()] == ["/first", "record"]
    assert [json.loads(line).get("route", "record") for line in stream.getvalue().splitlines()] == [
        "/first",
        "record",
        "/second",
    ]


def test_while_the_application_runs_a_request_only_appends_and_a_task_writes_the_lines() -> None:
    lines = RequestLines()
    other = logging.getLogger("bastion.test.writer")

    async def serve() -> list[str]:
        seen = []
        await lines.start()
        lines.append(_values("/first"))
        # The request called no Python code: its values went straight into the handler's queue.
        assert isinstance(getattr(lines.append, "__self__", None), deque)
        seen.append(stream.getvalue())
        other.info("a record")  # written after the line waiting before it
        lines.append(_values("/second"))
        await asyncio.sleep(0.05)  # the task writes the queue every 10 ms
        seen.append(stream.getvalue())
        await lines.stop()
        lines.append(_values("/third"))  # stopped: the line makes sure of its own writing
        await asyncio.sleep(0.05)
        seen.append(stream.getvalue())
        return seen

    with _request_lines_to(JsonFormatter(), interval=0.01) as stream:
        other.handlers, other.propagate, other.level = request_logger.handlers, False, logging.INFO
        try:
            before, running, stopped = asyncio.run(serve())
        finally:
            other.handlers = []

    def routes(text: str) -> list[str]:
        return [json.loads(line).get("route", "record") for line in text.splitlines()]

    assert before == ""
    assert routes(running) == ["/first", "record", "/second"]
    assert routes(stopped) == ["/first", "record", "/second", "/third"]


def test_stopping_the_application_writes_the_lines_still_waiting() -> None:
    lines = RequestLines()

    async def serve() -> str:
        await lines.start()
        lines.append(_values("/first"))
        waiting = stream.getvalue()
        await lines.stop()
        return waiting

    with _request_lines_to(JsonFormatter(), interval=3600) as stream:
        waiting = asyncio.run(serve())

    assert waiting == ""
    assert [json.loads(line)["route"] for line in stream.getvalue().splitlines()] == ["/first"]


class _FailingOnce(io.StringIO):
    """A stream whose first write fails, as a full disk or a closed pipe would."""

    failed = False

    def write(self, text: str) -> int:
        if not self.failed:
            self.failed = True
            raise OSError("no space left on device")
        return super().write(text)


def _failing_once_handler(
    monkeypatch: pytest.MonkeyPatch, interval: float
) -> tuple[LoopBatchedStreamHandler, _FailingOnce, list[object]]:
    """The logger `bastion.http` writing, alone, to a stream whose first write fails; what the
    handler reports (`handleError`) goes to the list."""
    stream, reported = _FailingOnce(), []
    handler = LoopBatchedStreamHandler(stream, interval=interval)
    handler.setFormatter(JsonFormatter())
    monkeypatch.setattr(handler, "handleError", reported.append)
    monkeypatch.setattr(request_logger, "handlers", [handler])
    monkeypatch.setattr(request_logger, "propagate", False)
    monkeypatch.setattr(request_logger, "level", logging.INFO)
    return handler, stream, reported


def test_a_write_that_fails_is_reported_and_the_lines_after_it_are_still_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = RequestLines()
    _, stream, reported = _failing_once_handler(monkeypatch, interval=0.01)

    async def serve() -> None:
        await lines.start()
        lines.append(_values("/lost"))
        await asyncio.sleep(0.05)  # the task's write fails: reported, the task goes on
        lines.append(_values("/written"))
        await asyncio.sleep(0.05)
        await lines.stop()

    asyncio.run(serve())

    assert len(reported) == 1
    assert [json.loads(line)["route"] for line in stream.getvalue().splitlines()] == ["/written"]


def test_a_write_that_fails_when_the_application_stops_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = RequestLines()
    handler, stream, reported = _failing_once_handler(monkeypatch, interval=3600)

    async def serve() -> None:
        await lines.start()
        lines.append(_values("/lost"))
        await lines.stop()  # the write of the waiting line fails: reported, the shutdown goes on
        lines.append(_values("/after"))

    asyncio.run(serve())
    handler.flush()  # as logging.shutdown does at exit

    assert len(reported) == 1
    assert [json.loads(line)["route"] for line in stream.getvalue().splitlines()] == ["/after"]
