"""The serving process's log handler: lines logged on the event loop are written in batches.

A request that commits an audit event logs one line, and with BASTION_LOG_REQUESTS every request
does; under load, their lines go out in one write instead of one write (and one flush) each. By
default a batch is the lines of one loop turn; the server uses `SERVER_FLUSH_INTERVAL` instead, so
that a turn of one or two requests does not pay a write of its own (about 4 µs a write, which is a
twentieth of the fastest route). A process killed without warning loses at most that interval of
lines; a stopping one writes them all. The
previous design, a queue and a listener thread (Litestar's `queue_listener`), paid a thread
wake-up and a GIL hand-over per line, which cost about a tenth of a refresh (bench/README.md).

The per-request line is queued as its values (`emit_deferred`) and formatted with the rest of its
batch when written: a batch formatted together costs less than each line formatted in the middle
of its request's work (bench/README.md).

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
from collections.abc import Callable
from threading import get_ident
from typing import Any, TextIO

# A line queued unformatted: its renderer, then what the renderer needs (`emit_deferred`).
DeferredLine = tuple[Callable[[Any], str], *tuple[Any, ...]]

# Seconds the serving process's handlers gather lines before writing them.
SERVER_FLUSH_INTERVAL = 0.05

# C0 controls, DEL, and the C1 / Unicode line separators that some log viewers break lines on.
_ESCAPES = str.maketrans(
    {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}
    | {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", 0x85: "\\x85", 0x2028: "\\u2028", 0x2029: "\\u2029"}
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
    `interval` (seconds), the lines of every turn until `interval` after the first one waiting."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.0) -> None:
        super().__init__(stream)
        self._interval = interval
        self._pending: list[str | DeferredLine] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None
        # The thread of `_flush_on`: a thread runs one loop at a time, so a line queued in this
        # thread while that loop runs is queued on it.
        self._flush_thread = 0

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle holds self.lock while this runs.
        try:
            self._add(self.format(record))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def emit_deferred(self, entry: DeferredLine) -> None:
        """Queue a line that is formatted only when the batch is written (the per-request line, see
        `log_format`), in order with the others: `entry[0](entry)` renders it. The renderer must
        give one line without control characters, as it is not scanned again; formatting a whole
        batch at once costs a fraction of formatting each line as it comes."""
        # A line per request: the common case (a batch already waits on the loop of this thread) is
        # an append under the lock. It does not ask asyncio for the running loop, which checks the
        # process id with a system call each time (Python 3.11), the most costly step of a line.
        lock: Any = self.lock  # always made by Handler.__init__
        lock.acquire()
        try:
            self._pending.append(entry)
            flush_on = self._flush_on
            if flush_on is None or self._flush_thread != get_ident() or not flush_on.is_running():
                self._schedule_or_write()
        finally:
            lock.release()

    def _add(self, line: str) -> None:
        self._queue(one_line(line) + self.terminator)

    def _queue(self, entry: str | DeferredLine) -> None:
        self._pending.append(entry)
        self._schedule_or_write()

    def _schedule_or_write(self) -> None:
        """After a line was queued: write the lines now if no loop runs here (or another loop's
        batch waits), else make sure this loop will write them."""
        loop = _running_loop()
        if loop is None or (self._flush_on is not None and self._flush_on is not loop):
            self._write_pending()
        elif self._flush_on is None:
            if self._interval > 0:
                loop.call_later(self._interval, self._flush_turn)
            else:
                loop.call_soon(self._flush_turn)
            self._flush_on, self._flush_thread = loop, get_ident()

    def flush(self) -> None:
        self.acquire()
        try:
            self._write_pending()
        finally:
            self.release()

    def _flush_turn(self) -> None:
        try:
            self.flush()
        except Exception:
            self.handleError(logging.makeLogRecord({"msg": "(lines of one event-loop turn)"}))

    def _write_pending(self) -> None:
        self._flush_on = None
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        terminator = self.terminator
        text = "".join([entry if isinstance(entry, str) else entry[0](entry) + terminator for entry in pending])
        self.stream.write(text)
        if hasattr(self.stream, "flush"):
            self.stream.flush()
