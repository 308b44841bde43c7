"""RangeBreachCheck: the k-anonymity range API of Have I Been Pwned (Pwned Passwords), through httpx."""

from __future__ import annotations

import asyncio
import hashlib
import logging

import httpx

from adapters.http_client.client_pool import HttpClientPool
from domain.ports.breached_passwords import BreachedPasswordCheck

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 2.0
PREFIX_LENGTH = 5


def breached_in(body: str, suffix: str) -> bool:
    """Whether the range answer `body` (lines `SUFFIX:COUNT`) lists `suffix` with a count above 0.

    Padding entries (count 0, sent on `Add-Padding: true`) and malformed lines count as absent.
    """
    for line in body.splitlines():
        candidate, _, count = line.strip().partition(":")
        if candidate.upper() == suffix:
            return count.strip().isdigit() and int(count) > 0
    return False


class RangeBreachCheck(HttpClientPool, BreachedPasswordCheck):
    """Asks `GET <base_url><first 5 hex digits of the SHA-1>` and looks for the other 35 digits
    (`base_url` as `https://api.pwnedpasswords.com/range/`).

    - Only the 5-digit prefix leaves the process; the answer is padded (`Add-Padding: true`), so
      its size does not tell the prefix either.
    - The whole exchange is bounded by `timeout_seconds` (httpx's own timeouts bound each socket
      operation only). No answer in time, a refused connection, any status but 200: the password is
      taken as not breached, and a warning is logged that names the failure, not the password.
    - One connection pool (`HttpClientPool`), opened on first use and closed by `stop`.
    """

    def __init__(self, base_url: str, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        super().__init__(timeout_seconds)
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"

    async def is_breached(self, password: str) -> bool:
        digest = hashlib.sha1(password.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest().upper()
        prefix, suffix = digest[:PREFIX_LENGTH], digest[PREFIX_LENGTH:]
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._http().get(self._base_url + prefix, headers={"Add-Padding": "true"})
                body = response.text
        except (TimeoutError, httpx.HTTPError, httpx.InvalidURL) as error:
            _logger.warning(
                "Breach check skipped, password accepted: the range API did not answer (%s)", type(error).__name__
            )
            return False
        if response.status_code != httpx.codes.OK:
            _logger.warning("Breach check skipped, password accepted: the range API answered %d", response.status_code)
            return False
        return breached_in(body, suffix)
