"""POST /auth/refresh without HTTP: CPU per refresh of Bastion's app, by database pool size.

    .venv/bin/python bench/refresh_inprocess.py [--pool-sizes 10,20,32] [--chains 64] [--refreshes 150]

`make bench` measures through uvicorn and wrk, where the worker's CPU is shared with the HTTP
server and the machine's cores with wrk and the database. This driver takes those away to look at
the application alone (bench/README.md, "Before and after", item 13): per pool size it

1. creates a PostgreSQL database of its own (dropped at the end; `--postgres` as in `bench/run.py`)
   and migrates it with `bastion db upgrade`;
2. builds Bastion's app in this process with the settings `bench/run.py` gives the server (plus
   `BASTION_DATABASE_POOL_SIZE`), runs its start-up, registers one user and logs it in `--chains`
   times (one session per chain);
3. runs the chains concurrently on uvloop, each refreshing its own token `--refreshes` times in a
   row with the token the previous refresh returned (a warm-up pass first), calling the ASGI app
   directly; and prints refreshes per second and this process's CPU time per refresh (user and
   system, from `getrusage`).

Each pool size runs in a fresh process (the settings are read once per process), one after the
other. CPU per refresh is the number to compare; refreshes per second also depends on the database
server, which shares the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from run import DEFAULT_POSTGRES, PASSWORD, bastion_env, database, migrate

ROOT = Path(__file__).resolve().parent.parent


async def _call(app: Any, path: str, body: object) -> tuple[int, bytes]:
    """One POST with a JSON body straight into the ASGI app."""
    raw = json.dumps(body).encode()
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"), (b"content-length", b"%d" % len(raw))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    delivered = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def _start(app: Any) -> None:
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await events.put({"type": "lifespan.startup"})
    answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, events.get, answers.put)
    )
    answer = await answers.get()
    if answer["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"start-up failed: {answer}")


async def _measure(chains: int, refreshes: int) -> str:
    from entrypoints.asgi import create_app

    app = create_app()
    await _start(app)
    account = {"email": "chain@example.org", "username": "chain", "password": PASSWORD}
    status, body = await _call(app, "/auth/register", account)
    if status != 201:
        raise RuntimeError(f"registration answered {status}: {body!r}")
    tokens = []
    for _ in range(chains):
        status, body = await _call(app, "/auth/login", {"email": account["email"], "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"login answered {status}: {body!r}")
        tokens.append(json.loads(body)["refresh_token"])

    async def chain(index: int) -> None:
        for _ in range(refreshes):
            status, body = await _call(app, "/auth/refresh", {"refresh_token": tokens[index]})
            if status != 200:
                raise RuntimeError(f"refresh answered {status}: {body!r}")
            tokens[index] = json.loads(body)["refresh_token"]

    await asyncio.gather(*(chain(index) for index in range(chains)))  # warm-up
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    await asyncio.gather(*(chain(index) for index in range(chains)))
    after, elapsed = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - started
    count = chains * refreshes
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return f"{count / elapsed:,.0f} refreshes/s, {cpu / count * 1e6:.0f} µs CPU per refresh"


async def _one_pool_size(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory(prefix="bastion-inprocess-") as workdir:
        async with database("postgres", Path(workdir), args.postgres) as url:
            env = bastion_env(url)
            await migrate(env, Path(workdir))
            os.environ.update({key: value for key, value in env.items() if key.startswith("BASTION_")})
            os.environ["BASTION_DATABASE_POOL_SIZE"] = str(args.pool_size)
            os.chdir(workdir)
            return await _measure(args.chains, args.refreshes)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pool-sizes", default="10,20,32", help="comma-separated pool sizes (default 10,20,32)")
    parser.add_argument("--pool-size", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    parser.add_argument("--chains", type=int, default=64, help="concurrent chains of refreshes (default 64)")
    parser.add_argument("--refreshes", type=int, default=150, help="refreshes per chain and pass (default 150)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    if args.pool_size is not None:
        import uvloop

        print(uvloop.run(_one_pool_size(args)))
        return 0
    for size in (int(value) for value in args.pool_sizes.split(",")):
        command = [sys.executable, __file__, "--pool-size", str(size), "--chains", str(args.chains)]
        command += ["--refreshes", str(args.refreshes), "--postgres", args.postgres]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        line = done.stdout.strip().splitlines()[-1:] or [done.stderr.strip()[-500:]]
        print(f"pool {size}: {line[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
