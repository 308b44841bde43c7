"""The background task that empties the outbox, one per server process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from adapters.lifecycle import Lifecycle
from application.errors import DependencyUnavailableError
from application.ops.deliver_outbox import BATCH_SIZE, DeliverOutboxHandler

logger = logging.getLogger("bastion.outbox")


class OutboxWorker(Lifecycle):
    """Runs `DeliverOutbox` every `interval` seconds (at once again while batches come back full).

    Several processes may run one each: the outbox's leases keep them from sending an entry twice.
    A store that does not answer is reported once per outage and retried; the worker never dies of it.
    """

    def __init__(self, deliver: Callable[[], DeliverOutboxHandler], interval: float) -> None:
        self._deliver, self._interval = deliver, interval
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._store_down = False

    @property
    def running(self) -> bool:
        """Whether `start` was called and `stop` has not finished since."""
        return self._task is not None

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="bastion-outbox-worker")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stopping.set()
        await self._task
        self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            delivered = await self._deliver_once()
            if delivered >= BATCH_SIZE:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)

    async def _deliver_once(self) -> int:
        try:
            delivered = await self._deliver().handle()
        except DependencyUnavailableError as error:
            if not self._store_down:
                logger.warning("outbox store unavailable (%s); mail waits until it answers", error.dependency)
            self._store_down = True
            return 0
        except Exception:
            logger.exception("outbox delivery failed; retrying")
            return 0
        if self._store_down:
            logger.info("outbox store answers again")
            self._store_down = False
        return delivered
