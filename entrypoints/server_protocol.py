"""The HTTP/1.1 protocol `bastion serve` runs: uvicorn's httptools protocol with the two limits it lacks.

- Request heads (request line and headers) larger than `MAX_HEAD_BYTES` are refused and the
  connection is closed, reading at most one more chunk: httptools would otherwise buffer a header of
  any size (a 50 MB header cost a worker 50 MB per connection). A head that arrives over several
  chunks is answered 431; one that arrives whole in one chunk stops the parser, and uvicorn answers 400.
- A connection that does not complete a request head within `HEAD_TIMEOUT_S` of opening, or of its
  previous answer, is closed: a client that connects and sends nothing, or trickles a header a byte
  at a time, would otherwise hold a connection (and a file descriptor) forever. uvicorn's own
  keep-alive timeout only starts after a first response, and any byte received cancels it.

Both cost next to nothing per request (measured with `make bench`: timers armed and cancelled per
request cost a tenth of GET /auth/verify): a request adds its chunk sizes to a counter and stamps
the time its head started; one sweep per event loop, every `SWEEP_S`, closes the connections whose
head is overdue.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024
HEAD_TIMEOUT_S = 30.0
SWEEP_S = 1.0
_REFUSAL = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_swept_loops: set[asyncio.AbstractEventLoop] = set()


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol`, counting the bytes of each request head before the parser sees them."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._in_head, self._head_bytes, self._head_since = True, 0, self.loop.time()
        if self.loop not in _swept_loops:
            _swept_loops.add(self.loop)
            self.loop.call_later(SWEEP_S, _sweep, self.loop, self.connections)

    def data_received(self, data: bytes) -> None:
        if not self._in_head:
            super().data_received(data)
            return
        self._head_bytes += len(data)
        super().data_received(data)
        # Still in the same head after this chunk: the head alone is that large (a body that came in
        # the same chunk is not counted, since the head ended before it). At most one chunk past the
        # limit is ever parsed.
        if self._in_head and self._head_bytes > MAX_HEAD_BYTES:
            self._refuse()

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._head_bytes > MAX_HEAD_BYTES and _head_size(self.url, self.headers) > MAX_HEAD_BYTES:
            # The whole head came in one chunk: stop the parser, which makes uvicorn answer 400 and close.
            raise httptools.HttpParserError("request head too large")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # What comes next on this connection is the head of the next request.
        self._in_head, self._head_bytes = True, 0

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The clock for the next head starts once this request is answered, however long that took.
        self._head_since = self.loop.time()

    def head_overdue(self, now: float) -> bool:
        return self._in_head and now - self._head_since > HEAD_TIMEOUT_S

    def _refuse(self) -> None:
        self._in_head = False
        if not self.transport.is_closing():
            self.transport.write(_REFUSAL)
            self.transport.close()


def _head_size(url: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    return len(url) + sum(len(name) + len(value) + 4 for name, value in headers)


def _sweep(loop: asyncio.AbstractEventLoop, connections: set[Any]) -> None:
    now = loop.time()
    for connection in list(connections):
        if isinstance(connection, GuardedHttpToolsProtocol) and connection.head_overdue(now):
            connection.transport.close()
    loop.call_later(SWEEP_S, _sweep, loop, connections)
