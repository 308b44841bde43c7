"""`bastion serve`: size the process, refuse unusable keys, then run uvicorn over `entrypoints.asgi`."""

from __future__ import annotations

import logging
import logging.config
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from adapters.metrics.prometheus import MULTIPROCESS_DIR_VARIABLE
from adapters.sql.migrations.migrate import upgrade
from entrypoints.container.lifecycle import production
from entrypoints.process_tuning import tune_process
from entrypoints.settings import Settings

logger = logging.getLogger("bastion.cli")


def serve(settings: Settings, *, host: str, port: int, workers: int) -> int:
    """Run the API until it is stopped; the exit code (2: the signing keys cannot be used)."""
    from entrypoints.http.log_format import server_log_config

    # First, before any thread starts.
    tune_process(
        hash_threads=settings.hashing.threads, database_pool_size=settings.database.pool_size, environ=os.environ
    )
    try:
        production(settings)[1].issuer()
    except ValueError as exc:
        sys.stderr.write(f"bastion: refusing to start: {exc}\n")
        return 2
    log_config = server_log_config(settings.server.json_logs)
    _log_start(settings, workers)
    if not settings.server.is_production and settings.database.url.startswith("sqlite"):
        upgrade(settings.database.url, schema=settings.database.schema or None)
    with _shared_metrics(enabled=settings.server.metrics_enabled):
        _run(host=host, port=port, workers=workers, log_config=log_config)
    return 0


def _run(*, host: str, port: int, workers: int, log_config: dict[str, Any]) -> None:
    import uvicorn

    from entrypoints.server_protocol import GuardedHttpToolsProtocol

    uvicorn.run(
        "entrypoints.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=GuardedHttpToolsProtocol,
        loop="uvloop",
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_config=log_config,
    )


@contextmanager
def _shared_metrics(*, enabled: bool) -> Iterator[None]:
    """While serving, the workers keep their metrics in one directory, so that a scrape answered by
    any of them sums all of them: `PROMETHEUS_MULTIPROC_DIR` (emptied first) or a fresh temporary
    directory, removed at the end."""
    if not enabled:
        yield
        return
    given = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if given:
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    directory = tempfile.mkdtemp(prefix="bastion-metrics-")
    os.environ[MULTIPROCESS_DIR_VARIABLE] = directory
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again once it has put back
    # the handler it found: this one, so that the directory is removed before the process ends.
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        del os.environ[MULTIPROCESS_DIR_VARIABLE]
        shutil.rmtree(directory, ignore_errors=True)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _log_start(settings: Settings, workers: int) -> None:
    if workers > 1 and not settings.redis.url:
        logger.warning(
            "serving with %d workers and no BASTION_REDIS_URL: rate limits are kept per process, and the "
            "workers learn each other's revocations from the database within a second instead of at once; "
            "set BASTION_REDIS_URL to share them",
            workers,
        )
    logger.info(
        "%d hashing thread(s) per worker, at most %d password checks queued; argon2 holds %d KiB per running check",
        settings.hashing.threads,
        settings.hashing.max_pending,
        settings.hashing.memory_kib,
    )
