"""A job that a server process runs in the background every so often, surviving its dependencies' outages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from adapters.lifecycle import Lifecycle
from application.errors import DependencyUnavailableError


class PeriodicJob(Lifecycle):
    """Runs `job` every `interval` seconds in a task of its own, at once again while a run reports
    `busy_at` or more items done. A dependency that does not answer is logged once per outage
    (`down_message`, with the dependency's name) and the job retried; it never ends the task."""

    def __init__(
        self,
        *,
        name: str,
        job: Callable[[], Awaitable[int]],
        interval: float,
        logger: logging.Logger,
        down_message: str,
        busy_at: int | None = None,
    ) -> None:
        self._name, self._job, self._interval, self._busy_at = name, job, interval, busy_at
        self._logger, self._down_message = logger, down_message
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._store_down = False

    @property
    def running(self) -> bool:
        """Whether `start` was called and `stop` has not finished since."""
        return self._task is not None

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stopping.set()
        await self._task
        self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            done = await self._run_once()
            if self._busy_at is not None and done >= self._busy_at:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)

    async def _run_once(self) -> int:
        try:
            done = await self._job()
        except DependencyUnavailableError as error:
            if not self._store_down:
                self._logger.warning(self._down_message, error.dependency)
            self._store_down = True
            return 0
        except Exception:
            self._logger.exception("%s failed; retrying", self._name)
            return 0
        if self._store_down:
            self._logger.info("%s: its store answers again", self._name)
            self._store_down = False
        return done
