"""`make bench-observability`: what metrics and per-request logging cost, measured side by side.

    .venv/bin/python bench/observability.py [--duration 8] [--repetitions 3] [--backends sqlite]
                                            [--output bench/results/<date>-<HHMM>-observability.md]

Two `bastion serve --workers 1` processes run on one database, seeded as `make bench` seeds it:

- "off": BASTION_METRICS_ENABLED=false, BASTION_LOG_REQUESTS=false, BASTION_LOG_FORMAT=text;
- "on": BASTION_METRICS_ENABLED=true, BASTION_LOG_REQUESTS=true, BASTION_LOG_FORMAT=json (one JSON
  line per request written to the log file, every request observed by the Prometheus metrics).

Each round measures every endpoint of `make bench` on both servers, one right after the other (the
order alternates from round to round, so that drift of the machine touches both alike); the table
has each endpoint's median requests/s on each server and their ratio on/off, which the budget says
must stay at or above 0.95.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import run as bench
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import create_async_engine

from entrypoints.settings import Settings

SIDES = {
    "off": {"BASTION_METRICS_ENABLED": "false", "BASTION_LOG_REQUESTS": "false", "BASTION_LOG_FORMAT": "text"},
    "on": {"BASTION_METRICS_ENABLED": "true", "BASTION_LOG_REQUESTS": "true", "BASTION_LOG_FORMAT": "json"},
}
BUDGET = 0.95
MEASURED = [endpoint for endpoint in bench.ENDPOINTS if endpoint.key != "bare"]
# The "on" server's refresh tokens belong to other users than the "off" server's.
SECOND_REFRESH_OFFSET = 1_000_000


async def _compare(
    backend: str, load: bench.Load, ceiling: bench.Server, workdir: Path, args: argparse.Namespace
) -> list[str]:
    measured = [endpoint for endpoint in MEASURED if endpoint.key in args.only]
    runs: dict[tuple[str, str], list[bench.WrkResult]] = defaultdict(list)
    backend_dir = workdir / backend
    backend_dir.mkdir()
    async with bench.database(backend, backend_dir, bench.DEFAULT_POSTGRES) as url:
        base_env = bench.bastion_env(url)
        await bench.migrate(base_env, backend_dir)
        engine = create_async_engine(url)
        servers = {
            name: bench.bastion_server(f"{backend}-{name}", {**base_env, **env}, backend_dir)
            for name, env in args.sides.items()
        }
        try:
            user_ids = await bench.seed_users(engine, args.password_hash)
            await bench.seed_device_tokens(engine, user_ids)
            for server in servers.values():
                await server.start()
            access = (await bench.log_in(servers["off"].url, bench.BENCH_USER))["access_token"]
            await bench.create_tasks(servers["off"].url, access)
            api_key = await bench.create_api_key(servers["off"].url, access)
            sides = {}
            for name, server in servers.items():
                assert server.process is not None
                side = bench.Bench(
                    load, ceiling, server, engine, user_ids, backend_dir, bench.Section(f"{backend}-{name}"),
                    bench.RssSampler(server.process.pid),
                )  # fmt: skip
                side.endpoints, side.with_storm, side.api_key = measured, False, api_key
                side.refresh_offset = SECOND_REFRESH_OFFSET if name == "on" else 0
                sides[name] = side
            for name, side in sides.items():
                print(f"  warm-up ({name})", flush=True)
                await side.warm_up()
            for number in range(load.repetitions):
                order = list(sides) if number % 2 == 0 else list(reversed(sides))
                print(f"  round {number + 1}/{load.repetitions}", flush=True)
                for endpoint in measured:
                    for name in order:
                        result = await sides[name].measure_row(endpoint, load.duration)
                        runs[(endpoint.key, name)].append(result)
                        print(f"    {endpoint.label} ({name}): {result.line()}", flush=True)
        finally:
            for server in servers.values():
                await server.stop()
            await engine.dispose()
    return _table(backend, runs, measured)


def _table(
    backend: str, runs: dict[tuple[str, str], list[bench.WrkResult]], measured: Sequence[bench.Endpoint]
) -> list[str]:
    lines = [
        f"| {backend}: endpoint | off req/s | on req/s | on/off | within {BUDGET:.2f} |",
        "|---|---:|---:|---:|---|",
    ]
    for endpoint in measured:
        off = statistics.median(result.rps for result in runs[(endpoint.key, "off")])
        on = statistics.median(result.rps for result in runs[(endpoint.key, "on")])
        ratio = on / off if off else 0.0
        errors = any(result.errors for side in ("off", "on") for result in runs[(endpoint.key, side)])
        verdict = "invalid (errors)" if errors else ("yes" if ratio >= BUDGET else "NO")
        lines.append(f"| {endpoint.label} | {off:,.0f} | {on:,.0f} | {ratio:.3f} | {verdict} |")
    return lines


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The cost of metrics and request logging, side by side")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument("--repetitions", type=int, default=3, help="rounds; the table shows medians (default 3)")
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite, postgres (default sqlite)")
    parser.add_argument("--output", type=Path, default=None, help="results file")
    parser.add_argument(
        "--only", default=",".join(endpoint.key for endpoint in MEASURED), help="comma-separated rows (default: all)"
    )
    parser.add_argument(
        "--without-request-lines",
        action="store_true",
        help="the on side without BASTION_LOG_REQUESTS: metrics and JSON logs only (the defaults of production)",
    )
    args = parser.parse_args(argv)
    args.sides = {name: dict(env) for name, env in SIDES.items()}
    if args.without_request_lines:
        args.sides["on"]["BASTION_LOG_REQUESTS"] = "false"
    args.only = {name.strip() for name in args.only.split(",") if name.strip()}
    if not args.only or args.only - {endpoint.key for endpoint in MEASURED}:
        parser.error(f"rows are {', '.join(endpoint.key for endpoint in MEASURED)}")
    args.backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    if set(args.backends) - {"sqlite", "postgres"} or not args.backends:
        parser.error("backends are sqlite and postgres")
    if args.output is None:
        args.output = bench.BENCH / "results" / f"{datetime.now(UTC):%Y-%m-%d-%H%M}-observability.md"
    return args


async def _run(args: argparse.Namespace, load: bench.Load) -> list[str]:
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bastion-bench-") as directory:
        workdir = Path(directory)
        ceiling = bench.ceiling_server(workdir)  # unused by these rows, but a Bench needs one
        for backend in args.backends:
            print(f"{backend}:", flush=True)
            lines += [*await _compare(backend, load, ceiling, workdir, args), ""]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    load = bench.Load(args.duration, args.repetitions, threads=2, connections=64)
    settings = Settings()
    args.password_hash = Argon2Hasher(
        memory_cost=settings.hashing.memory_kib,
        time_cost=settings.hashing.time_cost,
        parallelism=settings.hashing.parallelism,
    ).hash(bench.PASSWORD)
    header = bench.facts(settings, bench.argon2_verify_seconds(settings), load)
    started = time.monotonic()
    table = asyncio.run(_run(args, load))
    minutes = (time.monotonic() - started) / 60
    print("\n" + "\n".join(table), flush=True)
    title = f"# Bastion: metrics and request logging on vs off, {datetime.now(UTC):%Y-%m-%d}"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join([title, "", *header, "", *table, f"The run took {minutes:.1f} minutes.", ""]))
    print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
