"""A webhook receiver for tests: a process of its own (the standard library's HTTP server) that
checks each POST's Standard Webhooks signature and writes what it got to a JSON-lines file.

- `LocalWebhookReceiver(directory, secret, fail_first=N)`: `start()` / `stop()` (or `with`); stopped,
  the port refuses connections, and `start()` again listens on the same port (the count of
  failures goes on from where it was). `url` is where to post; `deliveries()` reads back every
  request in order, as `Delivery`.
- It answers 500 to the first `fail_first` well-signed requests, 204 to the rest, and 401 to a
  request whose signature, timestamp (more than five minutes off) or headers do not check out.
- The signature is checked here from the specification, independently of Bastion's own code.

Run as `python -m tests.webhook_receiver PORT SECRET FAIL_FIRST LOG_FILE`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

TOLERANCE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Delivery:
    """One request as the receiver saw it, and what it answered."""

    webhook_id: str
    timestamp: int
    signed: bool
    status: int
    payload: dict[str, Any]


def signature_is_valid(secret: str, headers: dict[str, str], body: bytes, now: float) -> bool:
    """Whether `webhook-signature` holds a `v1` signature of `id.timestamp.body` under the secret's key."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    try:
        timestamp = int(headers["webhook-timestamp"])
        signed = f"{headers['webhook-id']}.{timestamp}.".encode() + body
        offered = headers["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        version == "v1" and hmac.compare_digest(value, expected)
        for version, _, value in (item.partition(",") for item in offered)
    )


def _serve(port: int, secret: str, fail_first: int, log_file: Path) -> None:
    failures_left = fail_first - sum(1 for delivery in _read(log_file) if delivery.status == 500)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            nonlocal failures_left
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            signed = signature_is_valid(secret, headers, body, time.time())
            status = 401 if not signed else 500 if failures_left > 0 else 204
            if signed and failures_left > 0:
                failures_left -= 1
            record = {
                "webhook_id": headers.get("webhook-id", ""),
                "timestamp": int(headers.get("webhook-timestamp", "0") or 0),
                "signed": signed,
                "status": status,
                "payload": json.loads(body) if signed else {},
            }
            with log_file.open("a") as log:
                log.write(json.dumps(record) + "\n")
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the standard library's name
            """Quiet: the log file says what happened."""

    HTTPServer(("127.0.0.1", port), Handler).serve_forever()


def _read(log_file: Path) -> list[Delivery]:
    if not log_file.exists():
        return []
    return [Delivery(**json.loads(line)) for line in log_file.read_text().splitlines() if line.strip()]


class LocalWebhookReceiver:
    """The receiver process on 127.0.0.1 and a free port, logging to a file in `directory`."""

    def __init__(self, directory: Path, secret: str, *, fail_first: int = 0) -> None:
        self._secret, self._fail_first = secret, fail_first
        self._log_file = directory / "webhooks.jsonl"
        self._process: subprocess.Popen[bytes] | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        arguments = [str(self.port), self._secret, str(self._fail_first), str(self._log_file)]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.webhook_receiver", *arguments], cwd=Path(__file__).resolve().parent.parent
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError("the webhook receiver did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def deliveries(self) -> list[Delivery]:
        return _read(self._log_file)

    def __enter__(self) -> LocalWebhookReceiver:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
