"""The message bus: after a transaction commits, each of its events goes to its subscribers.

Units of work collect the events that use cases record (and the audit events they store) and
publish them here after a successful commit only, so a rolled-back change publishes nothing.
What follows a commit (revocations, audit log lines, lockout resets; later metrics) is a
subscriber registered once in the composition root, never a tail written in a use case. What must
not be lost with the process (webhooks) is written by the commit itself instead, in its transaction.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from domain.events import DomainEvent

EventT = TypeVar("EventT", bound=DomainEvent)
Subscriber = Callable[[EventT], Awaitable[None]]

logger = logging.getLogger("bastion.events")


class EventPublisher(Protocol):
    """Where units of work send the events of a committed transaction."""

    @abstractmethod
    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Hand every event, in order, to its subscribers.

        Raises:
            Exception: the first exception a subscriber raised, once every subscriber has run.
        """


class MessageBus(EventPublisher):
    """Runs the subscribers of each event, in the order they subscribed, event after event.

    A failing subscriber does not keep the others from running (a revocation must not be skipped
    because a log line failed); its exception is logged and the first one is raised at the end, so
    the request that made the change still reports the failure as before.
    """

    def __init__(self) -> None:
        self._subscribers: dict[type[DomainEvent], list[Subscriber[Any]]] = {}

    def subscribe(self, event_type: type[EventT], subscriber: Subscriber[EventT]) -> None:
        """Run `subscriber` for every published event of exactly `event_type`."""
        self._subscribers.setdefault(event_type, []).append(subscriber)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        failure: Exception | None = None
        for event in events:
            for subscriber in self._subscribers.get(type(event), ()):
                try:
                    await subscriber(event)
                except Exception as exc:
                    logger.warning("subscriber %r failed on %s", subscriber, type(event).__name__, exc_info=True)
                    failure = failure or exc
        if failure is not None:
            raise failure
