"""ListAuditEvents: an administrator reads the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import ReadOnlyUnitOfWork
from domain.accounts import Permission
from domain.audit import AuditEvent, AuditEventType
from domain.errors import FieldError, ValidationFailedError
from domain.ids import UserId, is_plausible_id
from domain.paging import Page


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAuditEvents:
    actor_id: UserId | None
    user_id: str | None = None
    type: str | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AuditPage:
    items: list[AuditEvent]
    total: int
    page: Page


class ListAuditEventsHandler:
    """A page of audit events, newest first, optionally of one user and/or one type.

    - Needs the `audit:read` permission (the admin role).
    """

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, command: ListAuditEvents) -> AuditPage:
        page = Page.parse(command.limit, command.offset)
        try:
            type_ = AuditEventType(command.type) if command.type else None
        except ValueError:
            raise ValidationFailedError([FieldError("type", "Unknown event type.")]) from None
        user_id = UserId(command.user_id) if command.user_id else None
        if user_id is not None and not is_plausible_id(user_id):
            return AuditPage([], 0, page)
        async with self._reader as view:
            await require(view, command.actor_id, Permission.AUDIT_READ)
            events, total = await view.audit.search(user_id=user_id, type_=type_, page=page)
        return AuditPage(events, total, page)
