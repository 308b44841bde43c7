"""The serving process's log handler: lines logged on the event loop are written once per loop turn.

A request that commits an audit event logs one line; under load, a loop turn completes many
requests, so their lines go out in one write instead of one write (and one flush) each. The
previous design, a queue and a listener thread (Litestar's `queue_listener`), paid a thread
wake-up and a GIL hand-over per line, which cost about a tenth of a refresh (bench/README.md).

Lines are written in the order they were logged. A line logged outside a running event loop (a
worker thread, the command line, start-up) is written at once, after any lines still waiting, so
nothing is reordered or held back. `flush()` (called by `logging.shutdown` at exit) writes what is
left. Writes happen on the event loop: a log destination that blocks (a full pipe) slows the
service down rather than piling lines up in memory without bound.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TextIO


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class LoopBatchedStreamHandler(logging.StreamHandler[TextIO]):
    """A `StreamHandler` that gathers the lines of one event-loop turn and writes them together."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle holds self.lock while this runs.
        try:
            self._pending.append(self.format(record) + self.terminator)
            loop = _running_loop()
            if loop is None or (self._flush_on is not None and self._flush_on is not loop):
                self._write_pending()
            elif self._flush_on is None:
                loop.call_soon(self._flush_turn)
                self._flush_on = loop
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

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
        text = "".join(self._pending)
        self._pending.clear()
        self.stream.write(text)
        if hasattr(self.stream, "flush"):
            self.stream.flush()
