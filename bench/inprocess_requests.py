"""CPU per request of the whole ASGI application, driven in process: no network, no wrk.

    .venv/bin/python bench/inprocess_requests.py [--path /health] [--requests 20000] [--rounds 5]
        [--setting NAME=VALUE ...] [--credential none|token|api-key]

Builds the production application (`entrypoints.asgi.build_app`) on a throw-away SQLite file with
the settings of the environment plus `--setting` (BASTION_NAME=VALUE), configures logging as
`bastion serve` does (standard error: redirect it to a file), then calls the application with a
GET of `--path` again and again, yielding to the event loop every 4 requests as a server would,
and prints the process CPU time per request of each round (the best three). With `--credential
token` (or `api-key`) it first registers a user through the app and sends its access token (or an
API key of scope `tasks:read` it makes, in `X-API-Key`) with every request. Comparing two
settings means two runs, alternated a few times: the numbers move by a few microseconds between
runs. Used to find what a per-request feature costs (bench/README.md, metrics and logging).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging.config
import os
import sys
import tempfile
import time
from pathlib import Path

import uvloop

from adapters.sql.migrations.migrate import upgrade


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="CPU per request of the ASGI application, in process")
    parser.add_argument("--path", default="/health", help="the GET path (default /health)")
    parser.add_argument("--requests", type=int, default=20_000, help="requests per round (default 20000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE", help="BASTION_NAME=VALUE")
    parser.add_argument(
        "--credential", choices=["none", "token", "api-key"], default="none", help="what each request carries"
    )
    return parser.parse_args()


async def _call(app: object, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> bytes:
    """One request to the ASGI app; the response body."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()), *headers,
        ],
    }  # fmt: skip
    chunks: list[bytes] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))  # type: ignore[arg-type]

    await app(scope, receive, send)  # type: ignore[operator]
    return b"".join(chunks)


async def _credential_headers(app: object, kind: str) -> list[tuple[bytes, bytes]]:
    """The header each request carries: none, a user's access token, or an API key of that user."""
    if kind == "none":
        return []
    account = {"email": "bench@example.org", "username": "bench", "password": "Correct-Horse-9"}
    await _call(app, "POST", "/auth/register", [], json.dumps(account).encode())
    login = {"email": account["email"], "password": account["password"]}
    token = json.loads(await _call(app, "POST", "/auth/login", [], json.dumps(login).encode()))["access_token"]
    bearer = [(b"authorization", f"Bearer {token}".encode())]
    if kind == "token":
        return bearer
    made = {"name": "bench", "scopes": ["tasks:read"]}
    key = json.loads(await _call(app, "POST", "/auth/api-keys", bearer, json.dumps(made).encode()))["key"]
    return [(b"x-api-key", key.encode())]


async def _drive(
    app: object,
    path: str,
    requests: int,
    rounds: int,
    headers: list[tuple[bytes, bytes]] | None = None,
    warm_up: int = 2000,
) -> list[float]:
    """CPU µs per request of each of `rounds` rounds of `requests`, after `warm_up` requests."""
    scope_base = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        return None

    async def one() -> None:
        await app(dict(scope_base), receive, send)  # type: ignore[operator]

    for _ in range(warm_up):
        await one()
    results = []
    for _ in range(rounds):
        started = time.process_time()
        for number in range(requests):
            await one()
            if number % 4 == 0:
                await asyncio.sleep(0)
        results.append((time.process_time() - started) / requests * 1e6)
    return results


def main() -> int:
    args = _arguments()
    for setting in args.setting:
        name, _, value = setting.partition("=")
        os.environ["BASTION_" + name.strip().upper().removeprefix("BASTION_")] = value
    with tempfile.TemporaryDirectory(prefix="bastion-inprocess-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bastion.db'}"
        os.environ["BASTION_DATABASE_URL"] = url
        os.environ.setdefault("BASTION_RATE_LIMIT_PER_MINUTE", "0")
        upgrade(url)
        from entrypoints.asgi import build_app
        from entrypoints.http.log_format import server_log_config
        from entrypoints.settings import load_settings

        settings = load_settings()
        logging.config.dictConfig(server_log_config(settings.server.json_logs))
        app = build_app(settings)

        async def run() -> list[float]:
            for hook in app.on_startup:
                await hook()
            try:
                headers = await _credential_headers(app, args.credential)
                return await _drive(app, args.path, args.requests, args.rounds, headers)
            finally:
                for hook in app.on_shutdown:
                    await hook()

        results = uvloop.run(run())
    best = ", ".join(f"{value:.1f}" for value in sorted(results)[:3])
    label = f"{args.path} ({args.credential}) {' '.join(args.setting) or '(defaults)'}"
    print(f"{label}: CPU µs per request, best three rounds: {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
