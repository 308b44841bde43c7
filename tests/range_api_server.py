"""A local stand-in for a Have I Been Pwned compatible range API, on a free port of 127.0.0.1.

`GET /range/<5 hex digits>` answers the suffixes of `breached` under that prefix as `SUFFIX:COUNT`
lines (CRLF, upper case), plus padding lines with count 0 when asked with `Add-Padding: true`.
`status` and `delay` make it fail or answer late; `silent` makes it accept connections and never
answer. `requests` keeps every request head, as received.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import Iterable

HOST = "127.0.0.1"
PADDING = [("0" * 35, 0), ("F" * 35, 0)]


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()


def closed_port() -> int:
    """A port nobody listens on (it was free a moment ago), for a refused connection."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


class LocalRangeApi:
    def __init__(self, breached: Iterable[tuple[str, int]] = ()) -> None:
        self.breached = {sha1_hex(password): count for password, count in breached}
        self.status = 200
        self.delay = 0.0
        self.silent = False
        self.requests: list[str] = []
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{HOST}:{port}/range/"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, HOST, 0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for connection in self._connections:
                connection.cancel()
            await self._server.wait_closed()

    def body(self, prefix: str, padded: bool) -> str:
        lines = [(digest[5:], count) for digest, count in self.breached.items() if digest.startswith(prefix)]
        lines += PADDING if padded else []
        return "".join(f"{suffix}:{count}\r\n" for suffix, count in lines)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            self.requests.append(head)
            if self.silent:
                await asyncio.sleep(3600)
            await asyncio.sleep(self.delay)
            prefix = head.split(" ")[1].rsplit("/", 1)[-1].upper()
            body = self.body(prefix, "add-padding: true" in head.lower()).encode()
            writer.write(
                f"HTTP/1.1 {self.status} X\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()
