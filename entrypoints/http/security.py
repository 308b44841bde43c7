"""Security headers on every response, and the JSON content-type rule for request bodies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Message, Scope

from entrypoints.http.client_ip import ClientAddresses
from entrypoints.http.problems import problem

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The interactive docs load their script and styles from a CDN and call back for the schema.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "connect-src 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
_NO_STORE_PREFIXES = ("/auth/", "/token")


def security_headers(
    *, hsts: bool, addresses: ClientAddresses, docs_path: str = "/schema"
) -> Callable[[Message, Scope], Awaitable[None]]:
    """A `before_send` hook adding the headers of the API contract to every HTTP response, including
    the ones the router produces itself (404, 405) and error responses."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path: str = scope["path"]
        headers = MutableScopeHeaders.from_message(message)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        is_docs = path.startswith(docs_path) and not path.endswith(".json")
        headers["Content-Security-Policy"] = DOCS_CSP if is_docs else API_CSP
        if path.startswith(_NO_STORE_PREFIXES):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if hsts and addresses.is_https(scope):
            headers["Strict-Transport-Security"] = HSTS

    return add_headers


def _media_type(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def require_json_body(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard for routes with a JSON body: any other content type is a malformed request (400).

    A coroutine function: Litestar runs a plain function guard in a worker thread, a hop per request."""
    media_type = _media_type(connection)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise problem(400, "unsupported_media_type", "The body must be JSON (Content-Type: application/json).")
    if connection.headers.get("content-length") == "0":
        raise problem(400, "bad_request", "A JSON body is required.")


def is_form(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    return _media_type(connection) == "application/x-www-form-urlencoded"
