"""The served protocol's limits, over real sockets: oversized request heads and idle connections."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn

from entrypoints import server_protocol
from entrypoints.server_protocol import MAX_HEAD_BYTES, GuardedHttpToolsProtocol


async def _app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def, type-arg]
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def port(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[int]:
    monkeypatch.setattr(server_protocol, "HEAD_TIMEOUT_S", 0.5)
    chosen = _free_port()
    config = uvicorn.Config(
        _app, host="127.0.0.1", port=chosen, http=GuardedHttpToolsProtocol, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    yield chosen
    server.should_exit = True
    await task


async def _exchange(port: int, request: bytes, *, wait: float = 5.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout=wait)
    finally:
        writer.close()


async def test_a_normal_request_with_a_large_body_is_served(port: int) -> None:
    body = b"x" * 60_000  # in the same chunks as the head: only the head counts
    request = b"POST / HTTP/1.1\r\nhost: a\r\nconnection: close\r\ncontent-length: 60000\r\n\r\n" + body
    answer = await _exchange(port, request)
    assert answer.startswith(b"HTTP/1.1 200")
    assert answer.endswith(body)


async def test_a_head_over_16_kib_in_one_chunk_is_refused_and_the_connection_closed(port: int) -> None:
    request = b"GET / HTTP/1.1\r\nhost: a\r\nx-big: " + b"y" * MAX_HEAD_BYTES + b"\r\n\r\n"
    answer = await _exchange(port, request)
    assert answer.startswith((b"HTTP/1.1 431", b"HTTP/1.1 400"))
    assert b"200 OK" not in answer


async def test_a_head_sent_in_pieces_is_counted_across_them(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nhost: a\r\n")
    for _ in range(20):
        writer.write(b"x-part: " + b"z" * 1000 + b"\r\n")
        await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 431")


async def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert await asyncio.wait_for(reader.read(), timeout=5) == b""  # closed by the server, unanswered
    writer.close()


async def test_a_head_trickled_too_slowly_is_cut_off(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    writer.write(b"GET / HTTP/1.1\r\nhost: a\r\nx-slow: ")

    async def trickle() -> None:
        for _ in range(40):
            writer.write(b"a")
            await writer.drain()
            await asyncio.sleep(0.05)

    trickling = asyncio.create_task(trickle())
    closed = await asyncio.wait_for(reader.read(), timeout=5)
    trickling.cancel()
    writer.close()
    assert closed == b""


async def test_a_keep_alive_connection_serves_several_requests(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(3):
        writer.write(b"GET / HTTP/1.1\r\nhost: a\r\n\r\n")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        assert head.startswith(b"HTTP/1.1 200")
    writer.close()
