"""The serving process's log handler: lines logged on the event loop are written in batches.

A request that commits an audit event logs one line, and with BASTION_LOG_REQUESTS every request
does; under load, their lines go out in one write instead of one write (and one flush) each. By
default a batch is the lines of one loop turn; the server uses `SERVER_FLUSH_INTERVAL` instead, so
that a turn of one or two requests does not pay a write of its own (about 4 µs a write, which is a
twentieth of the fastest route). A process killed without warning loses at most that interval of
lines; a stopping one writes them all. The
previous design, a queue and a listener thread (Litestar's `queue_listener`), paid a thread
wake-up and a GIL hand-over per line, which cost about a tenth of a refresh (bench/README.md).

The per-request line is queued as its values in a source of the handler (`add_source`), without a
call or a lock, and formatted with the rest of its batch, in one go, when written: a batch
formatted together costs less than each line formatted in the middle of its request's work, and
every Python call and lock a line does not make is a few percent of the fastest routes
(bench/README.md).

Lines are written in the order they were logged. A line logged outside a running event loop (a
worker thread, the command line, start-up) is written at once, after any lines still waiting, so
nothing is reordered or held back. `flush()` (called by `logging.shutdown` at exit) writes what is
left. Writes happen on the event loop: a log destination that blocks (a full pipe) slows the
service down rather than piling lines up in memory without bound.

Every record is one line: control characters anywhere in it (a request path with `%0a`, a header,
an exception's message, the line breaks of a traceback) are written as escapes (`\\n`, `\\x1b`),
so nothing a client sends can start a line of its own and forge an entry.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from itertools import islice
from threading import get_ident
from typing import Any, TextIO

# Renders lines waiting in a source (`add_source`): their values in, one text line each out.
LineRenderer = Callable[[list[Any]], list[str]]

# Seconds the serving process's handlers gather lines before writing them.
SERVER_FLUSH_INTERVAL = 0.05

# C0 controls, DEL, and the C1 / Unicode line separators that some log viewers break lines on. A
# JSON line reaches this with its C0 controls already escaped by the encoder; what is left here is
# escaped as JSON allows (`\u007f`), so the line stays valid JSON.
_ESCAPES = str.maketrans(
    {code: f"\\x{code:02x}" for code in range(0x20)}
    | {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
    | {code: f"\\u{code:04x}" for code in (0x7F, 0x85, 0x2028, 0x2029)}
)


def one_line(text: str) -> str:
    """`text` with every control character escaped, so it cannot span or start a line."""
    return text.translate(_ESCAPES)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class LoopBatchedStreamHandler(logging.StreamHandler[TextIO]):
    """A `StreamHandler` that gathers the lines of one event-loop turn and writes them together; with
    `interval` (seconds), the lines of every turn until `interval` after the first one waiting.

    Besides records, it writes the lines of its sources (`add_source`): queues of values that a
    producer appends to without a call or a lock (the per-request line, see `log_format`), made
    into text only when written. Each time a record is queued, and before each write, the sources'
    waiting values are taken out and rendered, so their lines keep their order with the records."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.0) -> None:
        super().__init__(stream)
        self.interval = interval
        self._pending: list[str] = []
        self._sources: list[tuple[deque[Any], LineRenderer]] = []
        # The loop whose turn will write the waiting lines, or None; and the thread it runs in. A
        # thread runs one loop at a time, so a line queued in that thread while that loop still
        # runs will be written by it. Read without the lock by sources' producers (`schedule`).
        self.flush_loop: asyncio.AbstractEventLoop | None = None
        self.flush_thread = 0

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle holds self.lock while this runs.
        try:
            self._add(self.format(record))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def add_source(self, queue: deque[Any], render: LineRenderer) -> None:
        """Write the lines of `queue` too: a producer appends values to it (`deque.append`, safe from
        any thread) and either calls `schedule` when `flush_loop` is None, or is not a running loop
        of its thread, or has a task call `flush` regularly; `render` turns the values taken out
        into lines, one line each, without control characters (they are not scanned again)."""
        self.acquire()
        try:
            self._sources.append((queue, render))
        finally:
            self.release()

    def schedule(self) -> None:
        """Make sure the lines of the sources are written: at the end of this loop's turn (or
        interval), or now if no loop runs in this thread."""
        self.acquire()
        try:
            self._schedule_or_write()
        finally:
            self.release()

    def _add(self, line: str) -> None:
        self._take_sources()
        self._pending.append(one_line(line) + self.terminator)
        self._schedule_or_write()

    def _take_sources(self) -> None:
        """Move what waits in the sources to the pending lines (with the lock held): values appended
        meanwhile stay for the next time, as only this takes values out."""
        for queue, render in self._sources:
            if queue:
                # As many `popleft` calls as values wait now, made by C code (`iter(f, None)` calls f
                # until None, which a queue of values never yields).
                lines = render(list(islice(iter(queue.popleft, None), len(queue))))
                lines.append("")  # the batch text ends with a terminator too, without a copy of it
                self._pending.append(self.terminator.join(lines))

    def _schedule_or_write(self) -> None:
        """After a line was queued: write the lines now if no loop runs here (or another loop's
        batch waits), else make sure this loop will write them."""
        loop = _running_loop()
        if loop is None or (self.flush_loop is not None and self.flush_loop is not loop):
            self._write_pending()
        elif self.flush_loop is None:
            if self.interval > 0:
                loop.call_later(self.interval, self.flush_reporting)
            else:
                loop.call_soon(self.flush_reporting)
            self.flush_loop, self.flush_thread = loop, get_ident()

    def flush(self) -> None:
        self.acquire()
        try:
            self._write_pending()
        finally:
            self.release()

    def flush_reporting(self) -> None:
        """`flush`, for a callback or a task of the loop: a failure to write is reported
        (`handleError`) instead of raised, and the lines it could not write are dropped."""
        try:
            self.flush()
        except Exception:
            self.handleError(logging.makeLogRecord({"msg": "(lines of one event-loop turn)"}))

    def _write_pending(self) -> None:
        self.flush_loop = None
        self._take_sources()
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending = []
        self.stream.write(text)
        if hasattr(self.stream, "flush"):
            self.stream.flush()
