"""CountOutboxBacklog: how much the outbox still has to deliver."""

from __future__ import annotations

from domain.ports.mail import OutboxQueue


class CountOutboxBacklogHandler:
    """The number of outbox entries neither delivered nor given up.

    Raises:
        DependencyUnavailableError: the outbox's store does not answer.
    """

    def __init__(self, queue: OutboxQueue) -> None:
        self._queue = queue

    async def handle(self) -> int:
        return await self._queue.backlog()
