"""`make bench-instructions`: machine instructions per request, on vs off, counted by cachegrind.

    .venv/bin/python bench/instructions.py [--served] [--path /health] [--requests 4000] [--jobs 2]

The wrk comparison of `bench/observability.py` is the budget's measure, but on a shared virtual
machine its rounds scatter by 5 to 15 %, more than the 5 % it must resolve. This counts instead,
under valgrind's cachegrind, which counts the instructions the CPU executes, each side ("off",
"defaults", "on": the settings of bench/observability.py, plus the production defaults, metrics and
JSON logs without the request line). Each side runs twice, with none and with `--requests` requests
after the same warm-up; the difference over the requests is the instructions of one request,
start-up cancelled out. Runs repeat to within about a thousand instructions a request (hash seed
fixed; garbage collections of the whole heap fall into the counted requests or not), so a cost of
1 % shows.

In process (the default): the production application driven without a server
(`bench/inprocess_requests.py`'s driver, logging configured as `bastion serve` does, its lines
thrown away). It leaves out the server's own work (uvicorn, httptools), so its on/off ratio is the
larger one. Under valgrind a request takes about fifty times as long, so the request lines' flush
interval is stretched by as much (`FLUSH_INTERVAL`), for a batch to hold as many lines as at full
speed.

`--served`: `bastion serve --workers 1` itself under cachegrind, its lines written to a file,
answering the GETs one after the other over one keep-alive connection (the start is awaited by
its log line, not by requests, which would be counted). This is the served request of `make bench`
without the kernel's part (the socket system calls, the same on both sides), so its ratio is an
upper bound of the CPU part of `make bench`'s ratio. Its lines go out every 50 ms of valgrind's
slow time, so a batch holds about a fiftieth of the lines it holds at full speed and each line
carries more of the per-write costs: the count overstates the line. Both modes charge the requests
with the background tasks (revocation follower, outbox pollers, metrics flush) of the wall-clock
time they take under valgrind, about alike on every side.

Needs valgrind (`apt-get install valgrind`); each mode takes a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import http.client
import logging.config
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import observability
from run import BIN, HOST, bastion_env, free_port

BENCH = Path(__file__).resolve().parent
# The two sides of bench/observability.py, and between them its "on" side without the request line.
SIDES = {
    "off": observability.SIDES["off"],
    "defaults": {**observability.SIDES["on"], "BASTION_LOG_REQUESTS": "false"},
    "on": observability.SIDES["on"],
}
WARM_UP = 2000
# Seconds between two writes of the request lines under valgrind: SERVER_FLUSH_INTERVAL (0.05 s)
# times the slowdown, so that a batch holds about as many lines as at full speed.
FLUSH_INTERVAL = 2.5
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _child(path: str, requests: int) -> None:
    """In the counted process: the application on a fresh SQLite file, the warm-up, then `requests`."""
    sys.path.insert(0, str(BENCH))
    import uvloop
    from inprocess_requests import _drive

    from adapters.sql.migrations.migrate import upgrade
    from entrypoints.asgi import build_app
    from entrypoints.http import log_format
    from entrypoints.http.log_output import LoopBatchedStreamHandler
    from entrypoints.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bastion-instructions-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bastion.db'}"
        os.environ.update({"BASTION_DATABASE_URL": url, "BASTION_RATE_LIMIT_PER_MINUTE": "0"})
        upgrade(url)
        settings = load_settings()
        logging.config.dictConfig(log_format.server_log_config(settings.server.json_logs))
        app = build_app(settings)
        # The application configures its logging too (Litestar's LoggingConfig, the same handler):
        # stretch the interval of whichever handlers it leaves.
        for handler in logging.getLogger().handlers:
            if isinstance(handler, LoopBatchedStreamHandler):
                handler.interval = FLUSH_INTERVAL

        async def run() -> None:
            for hook in app.on_startup:
                await hook()  # type: ignore[call-arg]  # the service's hooks take no argument
            await _drive(app, path, 0, 0, warm_up=WARM_UP)
            if requests:
                await _drive(app, path, requests, 1, warm_up=0)
            for hook in app.on_shutdown:
                await hook()  # type: ignore[call-arg]  # the service's hooks take no argument

        uvloop.run(run())


def _count(side: str, path: str, requests: int) -> int:
    """The instructions of one counted process of `side` running `requests` after the warm-up."""
    env = {**os.environ, **SIDES[side], "PYTHONHASHSEED": "0"}
    argv = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    argv += [sys.executable, __file__, "--child", "--path", path, "--requests", str(requests)]
    # The service's log lines go to standard error with valgrind's summary: keep only the summary.
    done = subprocess.run(
        argv, env=env, cwd=BENCH.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    found = _REFS.findall(done.stderr.decode(errors="replace"))
    if done.returncode != 0 or not found:
        raise RuntimeError(f"{side}: valgrind failed:\n{done.stderr.decode(errors='replace')[-2000:]}")
    return int(found[-1].replace(",", ""))


def _served_count(side: str, path: str, requests: int) -> int:
    """The instructions of `bastion serve --workers 1` of `side` under cachegrind, from its start to
    its stop, having answered the warm-up and then `requests` GETs of `path` over one connection."""
    with tempfile.TemporaryDirectory(prefix="bastion-instructions-") as directory:
        workdir = Path(directory)
        port = free_port()
        env = {**bastion_env(f"sqlite+aiosqlite:///{workdir / 'bastion.db'}"), **SIDES[side], "PYTHONHASHSEED": "0"}
        argv = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
        argv += [f"--log-file={workdir / 'valgrind.txt'}", str(BIN / "bastion"), "serve"]
        argv += ["--host", HOST, "--port", str(port), "--workers", "1"]
        log = workdir / "server.log"
        with log.open("wb") as output:
            server = subprocess.Popen(argv, env=env, cwd=workdir, stdout=output, stderr=subprocess.STDOUT)
        try:
            # Waiting for the server's own line, not polling it: every poll would be counted.
            deadline = time.monotonic() + 900
            while b"Uvicorn running on" not in log.read_bytes():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{side}: the server did not start:\n{log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.5)
            _get_in_turn(port, path, WARM_UP + requests)
            server.send_signal(signal.SIGINT)
            server.wait(timeout=600)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        found = _REFS.findall((workdir / "valgrind.txt").read_text(errors="replace"))
        if not found:
            raise RuntimeError(f"{side}: valgrind counted nothing:\n{log.read_text(errors='replace')[-2000:]}")
        return int(found[-1].replace(",", ""))


def _get_in_turn(port: int, path: str, requests: int) -> None:
    """`requests` GETs of `path` on one keep-alive connection, each sent once the one before is answered."""
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        for _ in range(requests):
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Instructions per request, on vs off, counted by cachegrind")
    parser.add_argument("--path", default="/health", help="the GET path (default /health)")
    parser.add_argument("--requests", type=int, default=4000, help="requests counted per side (default 4000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="valgrind runs at once (default: cores)")
    parser.add_argument("--sides", default=",".join(SIDES), help="comma-separated sides (default: all)")
    parser.add_argument(
        "--served", action="store_true", help="count `bastion serve` answering over a socket, not the app in process"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.path, args.requests)
        return 0
    sides = [side for side in SIDES if side in args.sides.split(",")]
    runs = [(side, count) for side in sides for count in (0, args.requests)]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        count = _served_count if args.served else _count
        totals = dict(zip(runs, pool.map(lambda run: count(run[0], args.path, run[1]), runs), strict=True))
    per_request = {side: (totals[(side, args.requests)] - totals[(side, 0)]) / args.requests for side in sides}
    base = "off" if "off" in per_request else sides[0]
    off = per_request[base]
    where = "served" if args.served else "in process"
    print(f"| GET {args.path}, {where} | instructions per request | ratio to {base} | added |")
    print("|---|---:|---:|---:|")
    for side, instructions in per_request.items():
        print(f"| {side} | {instructions:,.0f} | {instructions / off:.3f} | {instructions - off:+,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
