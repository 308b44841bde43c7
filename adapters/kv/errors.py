"""Translation of coredis exceptions at the Redis adapter boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from coredis.exceptions import RedisError

from application.errors import DependencyUnavailableError

DEPENDENCY = "redis"


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise every Redis failure as `DependencyUnavailableError("redis")`.

    Covers coredis' own errors (refused or lost connections, error replies) and the builtin
    `TimeoutError`/`OSError` of a server that stops answering mid-command. The driver's text stays
    on the exception's `__cause__`, for the logs only.
    """
    try:
        yield
    except (RedisError, OSError) as error:
        raise DependencyUnavailableError(DEPENDENCY) from error
