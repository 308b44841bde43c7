"""ProviderHttpClient: the HTTP exchanges of a social login provider, bounded in time and size, with
transport failures translated into `DependencyUnavailableError`; and the URL rules both adapters share."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from adapters.http_client.client_pool import HttpClientPool
from application.errors import DependencyUnavailableError

_logger = logging.getLogger("bastion.identity_providers")

DEFAULT_TIMEOUT_SECONDS = 5.0
# Discovery documents, JWKS and token answers are a few kilobytes; anything far larger is not one.
MAX_BODY_BYTES = 1 << 20
_LOOPBACK_NAMES = frozenset({"localhost"})

_Result = TypeVar("_Result")


def is_loopback_http(url: str) -> bool:
    """Whether `url` is plain http to this machine (a local test provider)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname in _LOOPBACK_NAMES:
        return True
    try:
        return ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def is_allowed_url(url: str, *, allow_loopback_http: bool) -> bool:
    """An https URL with a host, or, when allowed, a plain http one to a loopback host."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return allow_loopback_http and is_loopback_http(url)


def with_query(url: str, parameters: Mapping[str, str]) -> str:
    """`url` with `parameters` added to its query, percent-encoded; the query it already has is kept,
    except for parameters of the same names (which `parameters` replace)."""
    parts = urlsplit(url)
    kept = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name not in parameters]
    query = urlencode([*kept, *parameters.items()], quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def basic_authorization(client_id: str, client_secret: str) -> str:
    """The `Authorization` header of `client_secret_basic`: RFC 6749 section 2.3.1 encodes both parts
    before they are joined and base64-encoded. Percent-encoding everything, spaces included (no `+`),
    reads back the same through a form decoder and through a plain percent-decoder (Authlib's)."""
    credentials = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(credentials.encode()).decode("ascii")


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """A provider's answer below 500: its status and its body parsed as JSON (None when it is not JSON)."""

    status: int
    body: Any

    def json_object(self) -> dict[str, Any] | None:
        return self.body if isinstance(self.body, dict) else None


class ProviderHttpClient(HttpClientPool):
    """One connection pool per provider (`HttpClientPool`): redirects are not followed, each socket
    operation is bounded by `timeout_seconds`, and so is a whole use of the provider (`bounded`).

    - No connection, no complete answer, a body over `MAX_BODY_BYTES` or a status of 500 and above
      raise `DependencyUnavailableError` and log a warning naming the provider, the step and the
      failure, never a URL's query, a code, a token or a secret.
    """

    def __init__(self, provider_name: str, timeout_seconds: float) -> None:
        super().__init__(timeout_seconds)
        self._provider_name = provider_name

    async def bounded(self, work: Awaitable[_Result]) -> _Result:
        """The result of `work`, which must complete within `timeout_seconds`."""
        try:
            async with asyncio.timeout(self._timeout):
                return await work
        except TimeoutError:
            raise self.unavailable("exchange", "no answer in time") from None

    def unavailable(self, step: str, reason: str) -> DependencyUnavailableError:
        """Log why `step` failed and return the error to raise."""
        _logger.warning("identity provider %s unavailable at %s: %s", self._provider_name, step, reason)
        return DependencyUnavailableError(f"identity provider {self._provider_name}")

    async def call(self, step: str, method: str, url: str, **options: Any) -> ProviderAnswer:
        """Send one request (`options` as httpx takes them) and read its answer."""
        try:
            async with self._http().stream(method, url, **options) as response:
                body = await _read_capped(response)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise self.unavailable(step, type(error).__name__) from None
        if body is None:
            raise self.unavailable(step, "answer too large")
        if response.status_code >= httpx.codes.INTERNAL_SERVER_ERROR:
            raise self.unavailable(step, f"status {response.status_code}")
        return ProviderAnswer(response.status_code, _parse_json(body))


async def _read_capped(response: httpx.Response) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
        return None
