"""Choice of ASGI server: uvicorn (httptools, uvloop) against granian, side by side, one worker each.

    .venv/bin/python bench/servers.py [--duration 5] [--repetitions 3] [--pin] [--output FILE]

granian is not a dependency of Bastion. Install it into the virtual environment for this
comparison only (`uv sync --frozen` removes it again):

    uv pip install --python .venv/bin/python granian

What one run does (the results and the decision are in bench/README.md, "Choice of ASGI server"):

1. Starts four servers on free ports of 127.0.0.1, all at once (an idle server costs nothing):
   - the ceiling app (`bench/ceiling_app.py`) under uvicorn with the options `bastion serve` uses
     (httptools, uvloop, no access log), exactly as `bench/run.py` starts it;
   - the ceiling app under granian: ASGI interface, uvloop, HTTP/1.1, one worker, no access log;
   - Bastion as it runs in production, `bastion serve --workers 1` (uvicorn);
   - Bastion's app factory (`entrypoints.asgi:create_app`) under granian with the options above.
   Both Bastion servers use one migrated SQLite database in a temporary directory and one secret,
   with throttling off (as in `bench/run.py`).
2. Registers one user and logs it in over HTTP through each Bastion server; an access token is
   valid on both (one secret), and each server has run one argon2 verify before its RSS is read.
3. Runs `--repetitions` rounds. Each round runs wrk (`--threads` threads, `--connections`
   connections, `--duration` seconds) on every row under both servers; the server that goes first
   alternates from round to round, so drift of the machine touches both alike.
4. Prints a markdown table of the medians over the rounds (req/s, p50 and p99 under each server,
   the CPU the server used meanwhile in cores (its CPU seconds over the run's seconds, all threads
   and processes), and granian's req/s divided by uvicorn's), then every round's numbers, and the
   RSS of each server at the end (for granian, its main process plus its worker process).

With `--pin`, every server is pinned to the last CPU of this process and wrk to the others, so
each server gets exactly one core: that compares the servers core for core (granian runs its HTTP
I/O on a Rust thread next to the Python one, so unpinned, one granian worker can use more than one
core while uvicorn's one worker uses at most one).

The rows: bare /health (the ceiling app), Bastion's GET /health (the middleware stack, no I/O) and
GET /auth/verify (the JWT check, no database). None of them does argon2 or database work, so they
compare the servers and not the backends. Like `bench/run.py`, it needs wrk and should run on an
otherwise idle machine; nothing is left running or on disk afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import re
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from run import (
    BENCH,
    BIN,
    HOST,
    PASSWORD,
    Server,
    WrkResult,
    _clean_env,
    _median,
    _post_json,
    bastion_env,
    ceiling_server,
    free_port,
    migrate,
    run_wrk,
)

SERVERS = ("uvicorn", "granian")
TABLE_HEADER = (
    "| row | uvicorn req/s | p50 ms | p99 ms | cores | granian req/s | p50 ms | p99 ms | cores | granian / uvicorn "
    "| errors |"
)
GRANIAN_OPTIONS = ["--interface", "asgi", "--loop", "uvloop", "--http", "1", "--workers", "1", "--no-access-log"]
INSTALL_HINT = (
    "granian is not installed in this virtual environment; for this comparison only, install it with\n"
    "    uv pip install --python .venv/bin/python granian\n"
    "(Bastion does not depend on it; `uv sync --frozen` removes it again)"
)


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    path: str
    bearer: bool


ROWS = (
    Row("bare", "bare /health (ceiling app)", "/health", bearer=False),
    Row("health", "Bastion GET /health", "/health", bearer=False),
    Row("verify", "Bastion GET /auth/verify", "/auth/verify", bearer=True),
)


def granian_server(name: str, target: list[str], env: dict[str, str], cwd: Path) -> Server:
    port = free_port()
    argv = [str(BIN / "granian"), *GRANIAN_OPTIONS, "--host", HOST, "--port", str(port), *target]
    return Server(name, argv, env, cwd, port)


def uvicorn_bastion(env: dict[str, str], cwd: Path) -> Server:
    port = free_port()
    argv = [str(BIN / "bastion"), "serve", "--host", HOST, "--port", str(port), "--workers", "1"]
    return Server("bastion-uvicorn", argv, env, cwd, port)


def pinned(server: Server, cpu: int | None) -> Server:
    """The server started through `taskset` on one CPU (the same process: taskset replaces itself)."""
    if cpu is not None:
        server.argv = ["taskset", "--cpu-list", str(cpu), *server.argv]
    return server


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
        return int(match.group(1)) if match else 0
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += _children(current)
    return found


def rss_line(pid: int) -> str:
    """VmRSS of a process tree in MB: the total, and each process when there are several."""
    each = [_rss_kib(member) * 1024 / 1e6 for member in _tree(pid)]
    parts = f" ({' + '.join(f'{mb:.1f}' for mb in each)})" if len(each) > 1 else ""
    return f"{sum(each):.1f} MB{parts}"


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process tree so far (all threads), in seconds."""
    ticks = 0
    for member in _tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of stat(5)
    return ticks / os.sysconf("SC_CLK_TCK")


async def bearer_token(base_urls: Sequence[str]) -> str:
    """Registers a user through the first server and logs it in through each (so each has hashed once)."""
    user = {"email": "servers@example.org", "username": "servers", "password": PASSWORD, "full_name": "Bench"}
    status, body = await asyncio.to_thread(_post_json, base_urls[0] + "/auth/register", user)
    if status != 201:
        raise RuntimeError(f"register answered {status}: {body}")
    credentials = {"email": user["email"], "password": PASSWORD}
    token = ""
    for base_url in base_urls:
        status, body = await asyncio.to_thread(_post_json, base_url + "/auth/login", credentials)
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError(f"login through {base_url} answered {status}: {body}")
        token = body["access_token"]
    return token


def table(results: dict[tuple[str, str], list[WrkResult]], cpu: dict[tuple[str, str], list[float]]) -> list[str]:
    lines = [TABLE_HEADER, "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in ROWS:
        u_rps, u_p50, u_p99, u_err = _median(results[(row.key, "uvicorn")])
        g_rps, g_p50, g_p99, g_err = _median(results[(row.key, "granian")])
        u_cores, g_cores = statistics.median(cpu[(row.key, "uvicorn")]), statistics.median(cpu[(row.key, "granian")])
        lines.append(
            f"| {row.label} | {u_rps:,.0f} | {u_p50:.2f} | {u_p99:.2f} | {u_cores:.2f} "
            f"| {g_rps:,.0f} | {g_p50:.2f} | {g_p99:.2f} | {g_cores:.2f} | {g_rps / u_rps:.2f} | {u_err + g_err} |"
        )
    for server in SERVERS:
        bare = _median(results[("bare", server)])[0]
        ratios = ", ".join(f"{row.label} {_median(results[(row.key, server)])[0] / bare:.3f}" for row in ROWS[1:])
        lines.append(f"\nRatios to the same server's bare /health, {server}: {ratios}")
    return lines


async def measure(args: argparse.Namespace) -> list[str]:
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("uvicorn", "httptools", "uvloop", "granian"))
    header = [
        f"# ASGI servers side by side, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- {len(os.sched_getaffinity(0))} cores; Python {sys.version.split()[0]}; {versions}",
        f"- wrk {args.threads} threads, {args.connections} connections, {args.duration} s per run, "
        f"{args.repetitions} rounds, medians; one worker per server; granian {' '.join(GRANIAN_OPTIONS)}; "
        + ("each server pinned to one CPU, wrk to the others" if args.pin else "servers and wrk not pinned"),
        "",
    ]
    print("\n".join(header), flush=True)
    with tempfile.TemporaryDirectory(prefix="bastion-servers-") as directory:
        workdir = Path(directory)
        env = bastion_env(f"sqlite+aiosqlite:///{workdir / 'servers.db'}")
        await migrate(env, workdir)
        cpus = sorted(os.sched_getaffinity(0))
        server_cpu = cpus[-1] if args.pin else None
        servers = {
            ("bare", "uvicorn"): ceiling_server(workdir),
            ("bare", "granian"): granian_server(
                "ceiling-granian", ["--working-dir", str(BENCH), "ceiling_app:app"], _clean_env(), workdir
            ),
            ("bastion", "uvicorn"): uvicorn_bastion(env, workdir),
            ("bastion", "granian"): granian_server(
                "bastion-granian", ["--factory", "entrypoints.asgi:create_app"], env, workdir
            ),
        }
        servers = {key: pinned(server, server_cpu) for key, server in servers.items()}
        try:
            for server in servers.values():
                await server.start()
            if args.pin:
                os.sched_setaffinity(0, cpus[:-1])  # wrk, started from here, inherits the other CPUs
            token = await bearer_token([servers[("bastion", name)].url for name in SERVERS])
            results: dict[tuple[str, str], list[WrkResult]] = defaultdict(list)
            cpu: dict[tuple[str, str], list[float]] = defaultdict(list)
            for number in range(args.repetitions):
                print(f"round {number + 1}/{args.repetitions}", flush=True)
                order = SERVERS if number % 2 == 0 else SERVERS[::-1]
                for row in ROWS:
                    for name in order:
                        server = servers[("bare" if row.key == "bare" else "bastion", name)]
                        assert server.process is not None
                        cpu_before = cpu_seconds(server.process.pid)
                        result = await run_wrk(
                            server.url + row.path,
                            "get.lua",
                            duration=args.duration,
                            threads=args.threads,
                            connections=args.connections,
                            env={"BENCH_TOKEN": token} if row.bearer else None,
                        )
                        cores = (cpu_seconds(server.process.pid) - cpu_before) / result.duration_s
                        results[(row.key, name)].append(result)
                        cpu[(row.key, name)].append(cores)
                        print(f"  {row.label}, {name}: {result.line()}, server used {cores:.2f} cores", flush=True)
            rss = [
                f"- RSS at the end, {key[0]} under {key[1]}: {rss_line(server.process.pid)}"
                for key, server in servers.items()
                if server.process is not None
            ]
        finally:
            for server in servers.values():
                await server.stop()
    rounds = [
        f"- {row.label}, {name}, round {index + 1}: {result.line()}"
        for row in ROWS
        for name in SERVERS
        for index, result in enumerate(results[(row.key, name)])
    ]
    return [*header, *table(results, cpu), "", *rss, "", "Every round:", "", *rounds, ""]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="uvicorn against granian, side by side (see the module's doc)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--repetitions", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--pin", action="store_true", help="one CPU for each server, the others for wrk")
    parser.add_argument("--output", type=Path, default=None, help="also write the report to this file")
    args = parser.parse_args(argv)
    if args.pin and (len(os.sched_getaffinity(0)) < 2 or shutil.which("taskset") is None):
        print("servers: --pin needs at least 2 CPUs and taskset (util-linux)", file=sys.stderr)
        return 2
    if shutil.which("wrk") is None:
        print("servers: wrk is missing; install it with `sudo apt-get install wrk` (Debian/Ubuntu)", file=sys.stderr)
        return 2
    if importlib.util.find_spec("granian") is None or not (BIN / "granian").exists():
        print(f"servers: {INSTALL_HINT}", file=sys.stderr)
        return 2
    report = asyncio.run(measure(args))
    print("\n" + "\n".join(report[report.index(TABLE_HEADER) :]))
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(report))
        print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
