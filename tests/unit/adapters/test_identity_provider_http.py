"""The HTTP rules both social login adapters share (adapters/identity_providers/provider_http.py)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote, unquote_plus

import pytest

from adapters.identity_providers.provider_http import (
    MAX_BODY_BYTES,
    ProviderHttpClient,
    basic_authorization,
    is_allowed_url,
    with_query,
)
from application.errors import DependencyUnavailableError
from tests.local_wsgi_server import LocalWsgiServer

BODIES = {
    "/deep": b"[" * 100_000,
    "/large": b'"' + b"a" * MAX_BODY_BYTES + b'"',
    "/json": b'{"ok": true}',
}


def serve_bodies(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = BODIES[environ["PATH_INFO"]]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def server() -> Iterator[LocalWsgiServer]:
    with LocalWsgiServer(serve_bodies) as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[ProviderHttpClient]:
    http = ProviderHttpClient("test", timeout_seconds=3)
    yield http
    await http.stop()


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://accounts.example.com", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080", True),
        ("http://[::1]:8080", True),
        ("http://idp.example", False),
        ("ftp://idp.example", False),
        ("https://", False),
    ],
)
def test_only_https_or_loopback_http_is_allowed(url: str, allowed: bool) -> None:
    assert is_allowed_url(url, allow_loopback_http=True) is allowed
    assert is_allowed_url(url, allow_loopback_http=False) is (allowed and url.startswith("https://"))


def test_query_parameters_are_added_to_the_query_the_url_has() -> None:
    url = with_query("https://idp.example/authorize?tenant=a%20b&state=old#top", {"state": "n&w", "scope": "a b"})

    assert url == "https://idp.example/authorize?tenant=a%20b&state=n%26w&scope=a%20b"


@pytest.mark.parametrize("decode", [unquote, unquote_plus])
def test_basic_credentials_read_back_through_either_decoder(decode: Callable[[str], str]) -> None:
    header = basic_authorization("client:1", "s3cret +%/: é")

    encoded_id, _, encoded_secret = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")

    assert (decode(encoded_id), decode(encoded_secret)) == ("client:1", "s3cret +%/: é")


async def test_a_json_answer_is_parsed(client: ProviderHttpClient, server: LocalWsgiServer) -> None:
    answer = await client.call("test", "GET", f"{server.url}/json")

    assert (answer.status, answer.json_object()) == (200, {"ok": True})


async def test_json_nested_too_deep_reads_as_no_json(client: ProviderHttpClient, server: LocalWsgiServer) -> None:
    answer = await client.call("test", "GET", f"{server.url}/deep")

    assert (answer.status, answer.body) == (200, None)


async def test_an_answer_over_the_size_cap_is_unavailable(client: ProviderHttpClient, server: LocalWsgiServer) -> None:
    with pytest.raises(DependencyUnavailableError):
        await client.call("test", "GET", f"{server.url}/large")
