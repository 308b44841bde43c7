"""The Lifecycle protocol: what an adapter that holds resources must let the service start and stop."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class Lifecycle(Protocol):
    """An adapter holding resources from the service's start to its stop (threads, connections,
    subscriptions). The composition root lists every such adapter once, starts them in that order
    before the first request and stops them in reverse order after the last one."""

    @abstractmethod
    async def start(self) -> None:
        """Acquire what the adapter needs; an exception stops the service from starting."""

    @abstractmethod
    async def stop(self) -> None:
        """Release it; called once, after the last use."""


class LifecycleGroup(Lifecycle):
    """Several adapters that start and stop as one, in order (they stop in reverse)."""

    def __init__(self, members: tuple[Lifecycle, ...]) -> None:
        self.members = members

    async def start(self) -> None:
        for member in self.members:
            await member.start()

    async def stop(self) -> None:
        for member in reversed(self.members):
            await member.stop()
