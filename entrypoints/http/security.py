"""Security headers on every response, and the JSON content-type rule for request bodies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import HTTPResponseStartEvent, Message, Scope

from entrypoints.http.client_ip import ClientAddresses
from entrypoints.http.problems import problem
from entrypoints.http.request_context import current_request_id, note_status
from entrypoints.http.route_marks import OWN_CSP_OPT

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The interactive docs (entrypoints/http/api_docs.py) load their scripts and styles from Bastion itself
# and call back for the schema; their pages start them with inline scripts and style themselves inline.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"

# Token material, accounts and the audit trail, tasks: nothing a shared or browser cache should keep.
_NO_STORE_PREFIXES = ("/auth/", "/token", "/admin/", "/tasks")

_BASE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_CSP = b"content-security-policy"
_NO_STORE = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))
_HSTS = (b"strict-transport-security", HSTS.encode())
_REQUEST_ID = b"x-request-id"


def _set_headers(message: HTTPResponseStartEvent, headers: list[tuple[bytes, bytes]]) -> None:
    """Set `headers` (lower-case names) on a response-start message, replacing any of the same name.

    Appends to the raw header list and filters out earlier values only when there are some: this
    runs on every response, and a lookup per header in Litestar's header wrapper costs more."""
    raw = list(message.get("headers", ()))
    present = {name.lower() for name, _ in raw}
    if any(name in present for name, _ in headers):
        names = {name for name, _ in headers}
        raw = [(name, value) for name, value in raw if name.lower() not in names]
    raw.extend(headers)
    message["headers"] = raw


def security_headers(
    *, hsts: bool, addresses: ClientAddresses, docs_path: str = "/schema"
) -> Callable[[Message, Scope], Awaitable[None]]:
    """A `before_send` hook adding the headers of the API contract to every HTTP response, including
    the ones the router produces itself (404, 405) and error responses."""
    api_csp, docs_csp = (_CSP, API_CSP.encode()), (_CSP, DOCS_CSP.encode())

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        note_status(scope, message["status"])
        path: str = scope["path"]
        headers = list(_BASE_HEADERS)
        handler = scope.get("route_handler")
        if handler is None or not handler.opt.get(OWN_CSP_OPT):
            is_docs = path.startswith(docs_path) and not path.endswith(".json")
            headers.append(docs_csp if is_docs else api_csp)
        if path.startswith(_NO_STORE_PREFIXES):
            headers.extend(_NO_STORE)
        if hsts and addresses.is_https(scope):
            headers.append(_HSTS)
        request_id = current_request_id.get()
        if request_id is not None:
            headers.append((_REQUEST_ID, request_id.encode("ascii")))
        _set_headers(message, headers)

    return add_headers


def _media_type(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def require_json_body(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard for routes with a JSON body: any other content type is a malformed request (400).

    A coroutine function: Litestar runs a plain function guard in a worker thread, a hop per request."""
    media_type = _media_type(connection)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise problem(400, "unsupported_media_type", "The body must be JSON (Content-Type: application/json).")
    headers = connection.headers
    # No Content-Length and no chunked transfer means no body at all (RFC 9112, section 6.3).
    if headers.get("content-length") == "0" or ("content-length" not in headers and "transfer-encoding" not in headers):
        raise problem(400, "bad_request", "A JSON body is required.")


def is_form(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    return _media_type(connection) == "application/x-www-form-urlencoded"
