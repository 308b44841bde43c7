"""The security-headers hook sets each header once, replacing a value the response already had."""

from __future__ import annotations

from typing import Any

from entrypoints.http.client_ip import ClientAddresses
from entrypoints.http.security import API_CSP, security_headers


async def _headers_after_hook(path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    hook = security_headers(hsts=False, addresses=ClientAddresses([]))
    message: dict[str, Any] = {"type": "http.response.start", "status": 200, "headers": headers}
    await hook(message, {"type": "http", "path": path, "headers": [], "client": ("127.0.0.1", 1)})  # type: ignore[arg-type]
    return message["headers"]


async def test_headers_are_added_to_what_the_response_has() -> None:
    headers = await _headers_after_hook("/health", [(b"content-type", b"application/json")])

    assert headers == [
        (b"content-type", b"application/json"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", API_CSP.encode()),
    ]


async def test_a_value_the_response_had_is_replaced_not_repeated() -> None:
    headers = await _headers_after_hook(
        "/auth/me", [(b"Cache-Control", b"public, max-age=60"), (b"X-Frame-Options", b"SAMEORIGIN"), (b"etag", b"1")]
    )

    names = [name.lower() for name, _ in headers]
    assert names.count(b"cache-control") == 1
    assert names.count(b"x-frame-options") == 1
    assert (b"cache-control", b"no-store") in headers
    assert (b"x-frame-options", b"DENY") in headers
    assert (b"etag", b"1") in headers


async def test_other_messages_are_left_alone() -> None:
    hook = security_headers(hsts=False, addresses=ClientAddresses([]))
    message: dict[str, Any] = {"type": "http.response.body", "body": b"{}"}
    await hook(message, {"type": "http", "path": "/tasks"})  # type: ignore[arg-type]

    assert message == {"type": "http.response.body", "body": b"{}"}
