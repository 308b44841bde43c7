"""The serving process's log handler: one write per event-loop turn, nothing lost or reordered."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator

import pytest

from entrypoints.http.log_output import LoopBatchedStreamHandler


class RecordingStream:
    """A text stream that remembers each write separately."""

    def __init__(self) -> None:
        self.writes: list[str] = []
        self.flushes = 0

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        self.flushes += 1

    @property
    def lines(self) -> list[str]:
        return "".join(self.writes).splitlines()


@pytest.fixture
def stream() -> RecordingStream:
    return RecordingStream()


@pytest.fixture
def logger(stream: RecordingStream) -> Iterator[logging.Logger]:
    handler = LoopBatchedStreamHandler(stream)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger = logging.getLogger("tests.log_output")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger
    logger.removeHandler(handler)


def test_lines_of_one_loop_turn_are_written_together_after_the_turn(
    logger: logging.Logger, stream: RecordingStream
) -> None:
    async def scenario() -> None:
        for number in range(3):
            logger.info("line %d", number)
        assert stream.writes == []  # nothing written while the turn is running
        await asyncio.sleep(0)
        assert stream.writes == ["tests.log_output line 0\ntests.log_output line 1\ntests.log_output line 2\n"]
        logger.info("next turn")
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert stream.lines[-1] == "tests.log_output next turn"
    assert len(stream.writes) == 2
    assert stream.flushes >= 2


def test_a_line_logged_outside_an_event_loop_is_written_at_once(
    logger: logging.Logger, stream: RecordingStream
) -> None:
    logger.info("from the command line")
    assert stream.writes == ["tests.log_output from the command line\n"]


def test_a_line_from_a_thread_follows_the_lines_still_waiting_on_the_loop(
    logger: logging.Logger, stream: RecordingStream
) -> None:
    async def scenario() -> None:
        logger.info("first, on the loop")
        worker = threading.Thread(target=logger.info, args=("second, from a thread",))
        worker.start()
        worker.join()
        logger.info("third, on the loop")
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert stream.lines == [
        "tests.log_output first, on the loop",
        "tests.log_output second, from a thread",
        "tests.log_output third, on the loop",
    ]


def test_flush_writes_the_waiting_lines(logger: logging.Logger, stream: RecordingStream) -> None:
    async def scenario() -> None:
        logger.info("waiting")
        for handler in logger.handlers:
            handler.flush()
        assert stream.lines == ["tests.log_output waiting"]

    asyncio.run(scenario())
    assert stream.lines == ["tests.log_output waiting"]  # and not written twice


def test_lines_left_by_a_loop_that_stopped_early_come_out_before_the_next_loop_s(
    logger: logging.Logger, stream: RecordingStream
) -> None:
    first = asyncio.new_event_loop()

    def log_and_stop() -> None:
        logger.info("from the first loop")
        first.stop()  # the loop stops before the turn's flush runs

    first.call_soon(log_and_stop)
    try:
        first.run_forever()
    finally:
        first.close()
    assert stream.writes == []

    async def log_on_the_second_loop() -> None:
        logger.info("from the second loop")

    asyncio.run(log_on_the_second_loop())
    assert stream.lines == ["tests.log_output from the first loop", "tests.log_output from the second loop"]


def test_a_failing_stream_is_reported_and_does_not_break_the_loop(
    logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    class BrokenStream(RecordingStream):
        def write(self, text: str) -> int:
            raise OSError("disk full")

    reported: list[logging.LogRecord] = []
    handler = logger.handlers[0]
    assert isinstance(handler, LoopBatchedStreamHandler)
    handler.setStream(BrokenStream())  # type: ignore[arg-type]
    monkeypatch.setattr(handler, "handleError", reported.append)

    async def scenario() -> str:
        logger.info("lost to the disk")
        await asyncio.sleep(0)
        return "still serving"

    assert asyncio.run(scenario()) == "still serving"
    assert len(reported) == 1


def test_a_message_with_line_breaks_or_terminal_escapes_stays_one_line(
    logger: logging.Logger, stream: RecordingStream
) -> None:
    logger.info("error on GET %s", "/tasks\nforged: admin\r\x1b[2J\u2028")

    assert stream.lines == ["tests.log_output error on GET /tasks\\nforged: admin\\r\\x1b[2J\\u2028"]


def test_a_traceback_is_written_on_the_line_of_its_record(logger: logging.Logger, stream: RecordingStream) -> None:
    try:
        raise ValueError("bad\ninput")
    except ValueError:
        logger.exception("failed")

    [line] = stream.lines
    assert line.startswith("tests.log_output failed\\nTraceback (most recent call last):\\n")
    assert "ValueError: bad\\ninput" in line
