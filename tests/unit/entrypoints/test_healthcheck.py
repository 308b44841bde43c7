"""The container's health probe: exit 0 only on a 200 from /health, asked for the public host."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from entrypoints.healthcheck import main

SETTINGS = {"BASTION_SECRET_KEY": "s" * 48, "BASTION_PUBLIC_URL": "https://auth.example:8443"}


class _Health(BaseHTTPRequestHandler):
    status = 200
    hosts: list[str] = []

    def do_GET(self) -> None:
        type(self).hosts.append(self.headers["Host"])
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    monkeypatch.chdir(tmp_path)
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)
    _Health.status, _Health.hosts = 200, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/health"
    httpd.shutdown()
    httpd.server_close()


def test_a_200_is_healthy_and_the_request_names_the_public_host(server: str) -> None:
    assert main([server]) == 0
    assert _Health.hosts == ["auth.example:8443"]


@pytest.mark.parametrize("status", [400, 503])
def test_any_other_status_is_unhealthy(server: str, status: int) -> None:
    _Health.status = status
    assert main([server]) == 1


def test_no_answer_is_unhealthy(server: str) -> None:
    assert main(["http://127.0.0.1:9/health"]) == 1


def test_unusable_settings_are_unhealthy(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASTION_LOCKOUT_MINUTES", "0")
    assert main([server]) == 1
