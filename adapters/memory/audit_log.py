"""MemoryAuditLog: the audit trail in a transaction's copy of the store's events (or, to read, in the store's own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from domain.audit import AuditEvent, AuditEventType
from domain.ids import UserId
from domain.paging import Page
from domain.ports.repositories import AuditLog


class MemoryAuditLog(AuditLog):
    """Events in a dict keyed by id, copied in and out: an event is frozen, but its `data` dict is not.

    Events are not deleted with their user. `on_add` is told of every added event, for the unit of
    work to log once they are committed.
    """

    def __init__(self, events: dict[str, AuditEvent], *, on_add: Callable[[AuditEvent], None] | None = None) -> None:
        self._events = events
        self._on_add = on_add

    async def add(self, event: AuditEvent) -> None:
        stored = self._events[event.id] = _copy(event)
        if self._on_add is not None:
            self._on_add(stored)

    async def purge(self, before: datetime) -> int:
        old = [event_id for event_id, event in self._events.items() if event.created_at < before]
        for event_id in old:
            del self._events[event_id]
        return len(old)

    async def forget_personal_data(self, user_id: UserId) -> int:
        mine = [event for event in self._events.values() if event.user_id == user_id]
        for event in mine:
            self._events[event.id] = replace(_copy(event), ip=None, user_agent=None)
        return len(mine)

    async def search(
        self, *, user_id: UserId | None, type_: AuditEventType | None, page: Page
    ) -> tuple[list[AuditEvent], int]:
        matches = [
            event
            for event in self._events.values()
            if (user_id is None or event.user_id == user_id) and (type_ is None or event.type == type_)
        ]
        matches.sort(key=lambda event: (event.created_at, event.id), reverse=True)
        return [_copy(event) for event in matches[page.offset : page.offset + page.limit]], len(matches)


def _copy(event: AuditEvent) -> AuditEvent:
    return replace(event, data=dict(event.data))
