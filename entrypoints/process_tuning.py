"""Process tuning: how many hashing threads and database connections a worker gets, and glibc's malloc arenas.

The sizing rules are the defaults of BASTION_HASH_THREADS and BASTION_DATABASE_POOL_SIZE (`entrypoints.settings`
applies them); `bastion serve` calls `tune_process` once, before any thread starts.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, MutableMapping

MAX_HASH_THREADS = 64
SQLITE_POOL_SIZE = 10
POSTGRES_CONNECTION_BUDGET = 80
POSTGRES_POOL_SIZES = (10, 32)
# glibc's mallopt() parameter for the most malloc arenas (M_ARENA_MAX in malloc.h).
_M_ARENA_MAX = -8


def available_cores() -> int:
    """The CPUs this process may run on (its affinity mask, e.g. under `taskset` or a cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_hash_threads(cores: int | None = None, workers: int = 1) -> int:
    """Argon2 threads per worker process: the cores left after one per event loop, shared out.

    Argon2 is pure CPU. Each worker's event loop needs a core of its own to stay responsive (with
    fewer, the hashing threads take turns with it and every other request waits behind logins), so
    the hashing gets the remaining cores, split evenly between the workers, and at least one thread
    per worker. One worker on 2 cores: 1 thread; on 8 cores: 7; 4 workers on 8 cores: 1 each.
    """
    cores = available_cores() if cores is None else cores
    return min(MAX_HASH_THREADS, max(1, (cores - workers) // max(1, workers)))


def default_database_pool_size(database_url: str, workers: int = 1) -> int:
    """Database connections per worker process.

    SQLite: 10. Each connection has a thread of its own, and more threads only take turns for the
    GIL. PostgreSQL: 80 connections shared by the workers (the server allows 100 by default, which
    leaves room for migrations, tools and other clients), 10 to 32 each: one or two workers 32,
    four 20, eight or more 10. A connection stays checked out for all of a transaction's round
    trips, and under load each of them waits for a turn of a busy event loop, so with fewer
    connections than requests in flight, requests queue for a connection (bench/README.md: POST
    /auth/refresh 0.07 to 0.085 of the ceiling with 10, 0.09 to 0.10 with 32, and shorter tails).
    """
    if not database_url.startswith("postgresql"):
        return SQLITE_POOL_SIZE
    smallest, largest = POSTGRES_POOL_SIZES
    return max(smallest, min(largest, POSTGRES_CONNECTION_BUDGET // max(1, workers)))


def malloc_arena_max(*, cores: int, hash_threads: int, database_pool_size: int) -> int:
    """Enough glibc malloc arenas for every thread of a worker to have one of its own.

    glibc's own limit is 8 arenas per core; threads beyond it share arenas. A shared arena mixes an
    argon2 thread's 19 MiB buffer with other threads' small blocks, which keeps the buffer's space
    from being reused or trimmed, so such an arena ends up holding two or three buffers (measured
    on SQLite: up to 4 buffers for 2 hashing threads, about 40 MB above one each). Arenas cost
    nothing until a thread uses one, so the limit adds one per thread Bastion starts itself: the
    hashing threads and, on SQLite, the database's thread per pooled connection.
    """
    return 8 * cores + hash_threads + database_pool_size


def _glibc_mallopt() -> Callable[[int, int], int] | None:
    try:
        libc_version = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        return None
    if not libc_version.startswith("glibc"):
        return None
    mallopt: Callable[[int, int], int] = ctypes.CDLL(None).mallopt
    return mallopt


def tune_malloc(
    *,
    cores: int,
    hash_threads: int,
    database_pool_size: int,
    environ: MutableMapping[str, str],
    mallopt: Callable[[int, int], int] | None,
) -> int | None:
    """Raise glibc's arena limit to `malloc_arena_max`, here and in worker processes; the limit set.

    Nothing happens when the operator chose a limit (MALLOC_ARENA_MAX, or glibc.malloc.arena_max in
    GLIBC_TUNABLES), or without glibc (`mallopt` None). The call must come before the process has
    more than 8 arenas, i.e. before it starts threads; worker processes started later read the
    environment variable when they start.
    """
    if (
        mallopt is None
        or "MALLOC_ARENA_MAX" in environ
        or "glibc.malloc.arena_max" in environ.get("GLIBC_TUNABLES", "")
    ):
        return None
    arenas = malloc_arena_max(cores=cores, hash_threads=hash_threads, database_pool_size=database_pool_size)
    environ["MALLOC_ARENA_MAX"] = str(arenas)
    mallopt(_M_ARENA_MAX, arenas)
    return arenas


def tune_process(*, hash_threads: int, database_pool_size: int, environ: MutableMapping[str, str]) -> None:
    """Size this process and the worker processes it starts: call it before any thread starts.

    Worker processes read their settings again, so they are handed the hashing threads and the pool
    size decided here (both defaults depend on the number of workers).
    """
    tune_malloc(
        cores=available_cores(),
        hash_threads=hash_threads,
        database_pool_size=database_pool_size,
        environ=environ,
        mallopt=_glibc_mallopt(),
    )
    environ["BASTION_HASH_THREADS"] = str(hash_threads)
    environ["BASTION_DATABASE_POOL_SIZE"] = str(database_pool_size)
