"""`make bench-observability`: what metrics and per-request logging cost, measured side by side.

    .venv/bin/python bench/observability.py [--duration 8] [--repetitions 3] [--backends sqlite]
                                            [--only health,verify] [--in-turn] [--without-request-lines]
                                            [--same-servers]
                                            [--output bench/results/<date>-<HHMM>-observability.md]

Two `bastion serve --workers 1` processes run, each on its own copy of one database seeded as
`make bench` seeds it:

- "off": BASTION_METRICS_ENABLED=false, BASTION_LOG_REQUESTS=false, BASTION_LOG_FORMAT=text;
- "on": BASTION_METRICS_ENABLED=true, BASTION_LOG_REQUESTS=true, BASTION_LOG_FORMAT=json (one JSON
  line per request written to the log file, every request observed by the Prometheus metrics).

The data is seeded by bench/run.py's own functions (users, device tokens, TOTP, the service
account, then the passkeys), and the bench user's tasks and API key are made over HTTP by a set-up
server, stopped before the database is copied for the second side (SQLite's backup; on PostgreSQL a
database made from the first as its template). Each side draws its refresh tokens and its passkey
login challenges from pools of its own (written to its own directory and database), and the two
sides log in with TOTP on disjoint halves of the TOTP users.

Each round measures every endpoint of `make bench` on both servers, each round on a new pair of
server processes, warmed up first (`--same-servers` keeps one pair for every round): a process's
hash seed and memory layout stay with it for its life and move its speed by about 1 % either way
(five A/A pairs of identical servers: 0.994 to 1.012, each pair steady to 0.7 % over its rounds),
so one pair for all rounds measures that pair, not the settings. By default side by side: both
servers are pinned to the last CPU and loaded at once, each by its own wrk on the other CPUs, and
each run reads the CPU time the server used during it (user and system, all threads, from /proc):
the cost of a request on each side is its server's CPU seconds over its requests, and their ratio
(off over on) is the share of its requests/s that "on" keeps for the same CPU, the budget's ratio,
which must stay at or above 0.95 (median of the rounds). Whatever the machine does meanwhile (a
shared virtual machine's speed drifts by 20 % within minutes), it does to both servers at once, so
the ratio of each round holds steady where requests/s do not; an "A/A" run of two identical
servers this way gave 0.997 to 1.000 (`GET /health`). Until 2026-12-07 both servers shared one
database, so that on the rows that write each side waited on the other's write lock (SQLite) and
those rows scattered from round to round (`POST /auth/refresh` 0.898 to 0.989 in one run); since
then each has its own.

With `--in-turn`, the older way: each server loaded alone on every CPU, one right after the other
(the order alternates from round to round, so that drift of the machine touches both alike), and
the ratio of each round is the ratio of requests/s, which on a shared machine scatters by 10 to 20 %
from round to round.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import run as bench
from passkey_seed import PasskeyHolders
from pwdlib.hashers.argon2 import Argon2Hasher
from servers import cpu_seconds, pinned
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from entrypoints.settings import Settings

SIDES = {
    "off": {"BASTION_METRICS_ENABLED": "false", "BASTION_LOG_REQUESTS": "false", "BASTION_LOG_FORMAT": "text"},
    "on": {"BASTION_METRICS_ENABLED": "true", "BASTION_LOG_REQUESTS": "true", "BASTION_LOG_FORMAT": "json"},
}
BUDGET = 0.95
MEASURED = [endpoint for endpoint in bench.ENDPOINTS if endpoint.key != "bare"]
# The "on" server's refresh tokens belong to other users than the "off" server's.
SECOND_REFRESH_OFFSET = 1_000_000


def totp_users_of(side: str) -> tuple[int, int]:
    """The half of run.py's TOTP users that one side's "login + TOTP" row walks through: "off" the
    first, "on" the second, so that no account's accepted code is wanted by both servers."""
    first, count = bench.TOTP_USERS
    half = count // 2
    return (first, half) if side == "off" else (first + half, count - half)


async def _compare(
    backend: str, load: bench.Load, ceiling: bench.Server, workdir: Path, args: argparse.Namespace
) -> list[str]:
    measured = [endpoint for endpoint in MEASURED if endpoint.key in args.only]
    runs: dict[tuple[str, str], list[bench.WrkResult]] = {}
    notes: list[str] = []
    backend_dir = workdir / backend
    backend_dir.mkdir()
    async with bench.database(backend, backend_dir, bench.DEFAULT_POSTGRES) as url:
        base_env = bench.bastion_env(url)
        await bench.migrate(base_env, backend_dir)
        shared = await _prepared(backend, base_env, backend_dir, measured, args)
        async with _copy_of(backend, url, backend_dir) as copy_url:
            urls = {"off": url, "on": copy_url}
            servers = {
                name: bench.bastion_server(
                    f"{backend}-{name}", {**base_env, "BASTION_DATABASE_URL": urls[name], **env}, backend_dir
                )
                for name, env in args.sides.items()
            }
            engines = {name: create_async_engine(urls[name]) for name in servers}
            server_cpu = args.server_cpu
            for server in servers.values():
                pinned(server, server_cpu)
            try:
                for server in servers.values():
                    await server.start()
                sides = _sides(backend, load, ceiling, servers, engines, shared, backend_dir, measured)
                runs = await _rounds(servers, sides, measured, load, args)
                notes = [f"- note ({name}): {note}" for name, side in sides.items() for note in side.section.notes]
            except Exception:
                for server in servers.values():
                    print(f"{server.name} log:\n{server.log_tail()}", file=sys.stderr)
                raise
            finally:
                for server in servers.values():
                    await server.stop()
                for engine in engines.values():
                    await engine.dispose()
    table = _cpu_table if server_cpu is not None else _table
    return [*table(backend, runs, measured), *([""] if notes else []), *notes]


@dataclass
class _Shared:
    """What both sides' databases hold from the set-up: the seeded users, the bench user's API key
    (its tasks too) and the passkeys, when a row needs them."""

    user_ids: list[str]
    api_key: str
    passkeys: PasskeyHolders | None


async def _prepared(
    backend: str, env: dict[str, str], backend_dir: Path, measured: Sequence[bench.Endpoint], args: argparse.Namespace
) -> _Shared:
    """The first side's database seeded as `make bench` seeds it; the bench user's tasks and API key
    made over HTTP by a server of its own, stopped before the database is copied for the second side."""
    engine = create_async_engine(env["BASTION_DATABASE_URL"])
    server = bench.bastion_server(f"{backend}-set-up", {**env, **SIDES["off"]}, backend_dir)
    try:
        user_ids = await bench.seed(engine, args.password_hash, env["BASTION_SECRET_KEY"])
        await server.start()
        access = (await bench.log_in(server.url, bench.BENCH_USER))["access_token"]
        await bench.create_tasks(server.url, access)
        api_key = await bench.create_api_key(server.url, access)
        passkeys = None
        if any(endpoint.key == "passkey_login" for endpoint in measured):
            passkeys = await bench.seed_passkeys(engine, user_ids, server.env)
    finally:
        await server.stop()
        await engine.dispose()
    return _Shared(user_ids, api_key, passkeys)


@contextlib.asynccontextmanager
async def _copy_of(backend: str, url: str, backend_dir: Path) -> AsyncIterator[str]:
    """A copy of the database at `url` (no connection to it may be open), for the second side: a
    write row on one database would make each side wait on the other's write lock (SQLite) or rows."""
    if backend == "sqlite":
        copy = backend_dir / "bench-second.db"
        await asyncio.to_thread(_copy_sqlite, Path(url.split("///", 1)[1]), copy)
        yield f"sqlite+aiosqlite:///{copy}"
        return
    base, name = url.rsplit("/", 1)
    await bench.administer(bench.DEFAULT_POSTGRES, f'CREATE DATABASE "{name}_second" TEMPLATE "{name}"')
    try:
        yield f"{base}/{name}_second"
    finally:
        await bench.administer(bench.DEFAULT_POSTGRES, f'DROP DATABASE IF EXISTS "{name}_second" WITH (FORCE)')


def _copy_sqlite(source: Path, target: Path) -> None:
    """`source` copied to `target` by SQLite's backup (the write-ahead log included)."""
    with contextlib.closing(sqlite3.connect(source)) as reader, contextlib.closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)


async def _settled(sides: Iterable[bench.Bench], *, idle_share: float = 0.05, longest: float = 30.0) -> None:
    """Wait until no server still works off the previous row (a login row leaves argon2 checks and
    requests queued for seconds), so that a row's CPU is its own: each server under `idle_share`
    of a CPU over a quarter of a second, or `longest` seconds passed."""
    clocks = [side.cpu_clock for side in sides if side.cpu_clock is not None]
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        before = [clock() for clock in clocks]
        await asyncio.sleep(0.25)
        if all(clock() - used < idle_share * 0.25 for clock, used in zip(clocks, before, strict=True)):
            return


async def _rounds(
    servers: dict[str, bench.Server],
    sides: dict[str, bench.Bench],
    measured: Sequence[bench.Endpoint],
    load: bench.Load,
    args: argparse.Namespace,
) -> dict[tuple[str, str], list[bench.WrkResult]]:
    """`load.repetitions` rounds of every row on both sides, each round on new server processes
    (warmed up first) unless `args.same_servers`."""
    runs: dict[tuple[str, str], list[bench.WrkResult]] = defaultdict(list)
    for number in range(load.repetitions):
        if number and not args.same_servers:
            await _restart(servers.values())
        if number == 0 or not args.same_servers:
            await _warm_up(sides, args.server_cpu)
        print(f"  round {number + 1}/{load.repetitions}", flush=True)
        results = await _round(sides, measured, number, load.duration, side_by_side=args.server_cpu is not None)
        for key, result in results.items():
            runs[key].append(result)
    return runs


async def _restart(servers: Iterable[bench.Server]) -> None:
    """New processes of the same servers (same ports, settings and CPU), so that a round measures a
    pair of its own (see the module: a process's speed stays about 1 % off for its life)."""
    for server in servers:
        await server.stop()
    for server in servers:
        await server.start()


async def _warm_up(sides: dict[str, bench.Bench], server_cpu: int | None) -> None:
    """Each side's warm-up, then, side by side, its wrk moved off the servers' CPU and its clock set
    to its server's current process."""
    for name, side in sides.items():
        process = side.bastion.process
        assert process is not None
        side.sampler = bench.RssSampler(process.pid)
        side.wrk_cpus, side.cpu_clock = None, None
        print(f"  warm-up ({name})", flush=True)
        await side.warm_up()
        if server_cpu is not None:
            side.wrk_cpus = f"0-{server_cpu - 1}"
            side.cpu_clock = functools.partial(cpu_seconds, process.pid)


async def _round(
    sides: dict[str, bench.Bench], measured: Sequence[bench.Endpoint], number: int, duration: int, *, side_by_side: bool
) -> dict[tuple[str, str], bench.WrkResult]:
    """Every row on both sides once: one after the other, the order alternating from round to
    round, or both at once (`side_by_side`)."""
    runs: dict[tuple[str, str], bench.WrkResult] = {}
    order = list(sides) if number % 2 == 0 else list(reversed(sides))
    for endpoint in measured:
        if side_by_side:
            # Both at once, on the one CPU: whatever the machine does meanwhile, it does to both.
            await _settled(sides.values())
            both = [sides[name].measure_row(endpoint, duration) for name in order]
            results = dict(zip(order, await asyncio.gather(*both), strict=True))
        else:
            results = {name: await sides[name].measure_row(endpoint, duration) for name in order}
        for name in order:
            runs[(endpoint.key, name)] = results[name]
            print(f"    {endpoint.label} ({name}): {_line(results[name])}", flush=True)
    return runs


def _sides(
    backend: str,
    load: bench.Load,
    ceiling: bench.Server,
    servers: dict[str, bench.Server],
    engines: dict[str, AsyncEngine],
    shared: _Shared,
    backend_dir: Path,
    measured: Sequence[bench.Endpoint],
) -> dict[str, bench.Bench]:
    """One `Bench` per running server, each on its own copy of the data set up by `_prepared`, with
    its own pools (refresh offset, TOTP users, a directory for its token and body files)."""
    sides = {}
    for name, server in servers.items():
        assert server.process is not None
        files_dir = backend_dir / name
        files_dir.mkdir()
        side = bench.Bench(
            load, ceiling, server, engines[name], shared.user_ids, files_dir, bench.Section(f"{backend}-{name}"),
            bench.RssSampler(server.process.pid),
        )  # fmt: skip
        side.endpoints, side.with_storm, side.api_key = measured, False, shared.api_key
        side.refresh_offset = SECOND_REFRESH_OFFSET if name == "on" else 0
        side.totp_users, side.passkeys = totp_users_of(name), shared.passkeys
        sides[name] = side
    return sides


def _table(
    backend: str, runs: dict[tuple[str, str], list[bench.WrkResult]], measured: Sequence[bench.Endpoint]
) -> list[str]:
    lines = [
        f"| {backend}: endpoint | off req/s | on req/s | on/off of the medians | on/off, median of the rounds "
        f"| within {BUDGET:.2f} | each round on/off | errors |",
        "|---|---:|---:|---:|---:|---|---|---:|",
    ]
    for endpoint in measured:
        off_runs, on_runs = runs[(endpoint.key, "off")], runs[(endpoint.key, "on")]
        off = statistics.median(result.rps for result in off_runs)
        on = statistics.median(result.rps for result in on_runs)
        ratio = on / off if off else 0.0
        each_round = [
            on_run.rps / off_run.rps if off_run.rps else 0.0 for off_run, on_run in zip(off_runs, on_runs, strict=True)
        ]
        paired = statistics.median(each_round)
        rounds = ", ".join(f"{value:.3f}" for value in each_round)
        verdict, errors = _verdict(off_runs, on_runs, paired)
        cells = [endpoint.label, f"{off:,.0f}", f"{on:,.0f}", f"{ratio:.3f}", f"{paired:.3f}", verdict, rounds, errors]
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def _verdict(off_runs: list[bench.WrkResult], on_runs: list[bench.WrkResult], paired: float) -> tuple[str, str]:
    """Whether `paired`, the median of the rounds' ratios, keeps the budget; and the errors of both sides."""
    both = [*off_runs, *on_runs]
    errors = sum(result.errors for result in both)
    invalid = errors > bench.MAX_ERROR_SHARE * sum(result.requests for result in both)
    return ("invalid (errors)" if invalid else ("yes" if paired >= BUDGET else "NO")), str(errors)


def _line(result: bench.WrkResult) -> str:
    if result.server_cpu_s is None or not result.requests:
        return result.line()
    return f"{result.line()}, server CPU {result.server_cpu_s / result.requests * 1e6:.1f} µs a request"


def _cpu_per_request(result: bench.WrkResult) -> float:
    return (result.server_cpu_s or 0.0) / result.requests if result.requests else 0.0


def _cpu_table(
    backend: str, runs: dict[tuple[str, str], list[bench.WrkResult]], measured: Sequence[bench.Endpoint]
) -> list[str]:
    """The rows of the side-by-side mode: each server's CPU per request, and their ratio off/on, the
    requests/s "on" keeps of "off" for the same CPU (the budget's ratio, as each round measured it)."""
    lines = [
        f"| {backend}: endpoint | off req/s | on req/s | off CPU µs/request | on CPU µs/request "
        f"| on/off for the same CPU, median of the rounds | within {BUDGET:.2f} | each round | errors |",
        "|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for endpoint in measured:
        off_runs, on_runs = runs[(endpoint.key, "off")], runs[(endpoint.key, "on")]
        each_round = [
            _cpu_per_request(off_run) / _cpu_per_request(on_run) if _cpu_per_request(on_run) else 0.0
            for off_run, on_run in zip(off_runs, on_runs, strict=True)
        ]
        paired = statistics.median(each_round)
        verdict, errors = _verdict(off_runs, on_runs, paired)
        cells = [
            endpoint.label,
            *(f"{statistics.median(result.rps for result in runs):,.0f}" for runs in (off_runs, on_runs)),
            *(f"{statistics.median(map(_cpu_per_request, runs)) * 1e6:.1f}" for runs in (off_runs, on_runs)),
            f"{paired:.3f}",
            verdict,
            ", ".join(f"{value:.3f}" for value in each_round),
            errors,
        ]
        lines.append(f"| {' | '.join(cells)} |")
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
    parser.add_argument(
        "--same-servers",
        action="store_true",
        help="one pair of server processes for every round, instead of a new pair each round",
    )
    parser.add_argument(
        "--in-turn",
        action="store_true",
        help="each server loaded alone, one after the other, on every CPU (the ratio of requests/s)",
    )
    args = parser.parse_args(argv)
    cpus = os.cpu_count() or 1
    if not args.in_turn and cpus < 2:
        parser.error("side by side needs two CPUs (one for the servers, the rest for wrk): use --in-turn")
    args.server_cpu = None if args.in_turn else cpus - 1
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
    pairs = "" if args.same_servers else "; a new pair of server processes each round, warmed up first"
    if args.server_cpu is None:
        header.append(f"- method: in turn, each server loaded alone; the ratio is on/off of requests/s{pairs}")
    else:
        header.append(
            f"- method: side by side, both servers on CPU {args.server_cpu} loaded at once (wrk on the others); "
            f"the ratio is off/on of the server CPU per request{pairs}"
        )
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
