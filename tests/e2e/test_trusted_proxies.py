"""Client addresses on a real server: X-Forwarded-For is believed only from a trusted proxy."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.servers import ServerLog, server

pytestmark = pytest.mark.slow


def _login_statuses(base: str, forwarded: list[str]) -> list[int]:
    with httpx.Client(base_url=base) as client:
        return [
            client.post(
                "/auth/login",
                json={"email": f"u{n}@example.org", "password": "x"},
                headers={"X-Forwarded-For": value},
            ).status_code
            for n, value in enumerate(forwarded)
        ]


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(tmp_path: Path) -> None:
    with server(tmp_path, login_rate_limit_per_minute="3") as base:
        statuses = _login_statuses(base, [f"203.0.113.{n}" for n in range(5)])
    assert statuses == [401, 401, 401, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(tmp_path: Path) -> None:
    with server(tmp_path, login_rate_limit_per_minute="3", trusted_proxies="127.0.0.1/32") as base:
        assert _login_statuses(base, [f"203.0.113.{n}" for n in range(5)]) == [401] * 5
        # The client can prepend anything; the right-most untrusted entry is what counts.
        spoofed = [f"6.6.6.{n}, 198.51.100.7" for n in range(5)]
        assert _login_statuses(base, spoofed) == [401, 401, 401, 429, 429]


def test_a_request_id_is_taken_from_a_trusted_proxy_only_and_logged(tmp_path: Path) -> None:
    log = ServerLog()
    with server(tmp_path, trusted_proxies="127.0.0.1/32", log_requests="true", log=log) as base:
        proxied = httpx.get(f"{base}/health", headers={"X-Request-ID": "edge-4f2a"})
        malformed = httpx.get(f"{base}/health", headers={"X-Request-ID": "two words"})
    with server(tmp_path) as base:
        untrusted = httpx.get(f"{base}/health", headers={"X-Request-ID": "edge-4f2a"})

    assert proxied.headers["x-request-id"] == "edge-4f2a"
    assert "bastion.http - log_format - request_id=edge-4f2a - GET /health 200" in log.text
    assert malformed.headers["x-request-id"] != "two words"
    assert untrusted.headers["x-request-id"] != "edge-4f2a"
