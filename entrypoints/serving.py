"""`bastion serve`: size the process, refuse unusable keys, then run uvicorn over `entrypoints.asgi`."""

from __future__ import annotations

import logging
import logging.config
import os
import sys

from adapters.sql.migrations.migrate import upgrade
from entrypoints.container.lifecycle import production
from entrypoints.process_tuning import tune_process
from entrypoints.settings import Settings

logger = logging.getLogger("bastion.cli")


def serve(settings: Settings, *, host: str, port: int, workers: int) -> int:
    """Run the API until it is stopped; the exit code (2: the signing keys cannot be used)."""
    import uvicorn

    from entrypoints.http.log_format import server_log_config
    from entrypoints.server_protocol import GuardedHttpToolsProtocol

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
    return 0


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
