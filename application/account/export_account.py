"""ExportAccount: everything the service holds about the caller (the right of access of GDPR and CCPA)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from application.unit_of_work import ReadOnlyUnitOfWork
from domain.accounts import User
from domain.api_keys import ApiKey
from domain.audit import AuditEvent
from domain.errors import TokenInvalidError
from domain.identities import Identity
from domain.ids import UserId
from domain.paging import MAX_PAGE_SIZE, Page
from domain.passkeys import Passkey
from domain.ports.clock import Clock
from domain.sessions import Session
from domain.tasks import Task

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportAccount:
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountExport:
    """The account, every stored session (revoked and expired ones too), every task, every audit
    event, every linked identity, every passkey and every unrevoked API key of the account, as held
    at `exported_at`.
    Secrets are not part of it: no password hash and no token or key, of any kind, stored only as
    hashes anyway (a passkey's public key and credential id are left out too: they identify an
    authenticator and are of no use to its owner)."""

    exported_at: datetime
    user: User
    sessions: list[Session]
    tasks: list[Task]
    audit_events: list[AuditEvent]
    identities: list[Identity]
    passkeys: list[Passkey]
    api_keys: list[ApiKey]


class ExportAccountHandler:
    """Export what is held about the caller.

    - An account that no longer exists or was deactivated makes the caller's token invalid.
    - Everything is read in one block, page by page (the readers' largest page), so a large account
      costs several reads but no unbounded one.
    """

    def __init__(self, reader: ReadOnlyUnitOfWork, clock: Clock) -> None:
        self._reader, self._clock = reader, clock

    async def handle(self, command: ExportAccount) -> AccountExport:
        user_id = command.user_id
        async with self._reader as view:
            user = await view.users.get(user_id)
            if user is None or not user.is_active:
                raise TokenInvalidError
            sessions = await view.sessions.all_for_user(user_id)
            tasks = await _every(lambda page: view.tasks.list(user_id, completed=None, page=page))
            events = await _every(lambda page: view.audit.search(user_id=user_id, type_=None, page=page))
            identities = await view.identities.of_user(user_id)
            passkeys = await view.passkeys.of_user(user_id)
            api_keys = await view.api_keys.of_user(user_id)
        return AccountExport(
            exported_at=self._clock.now(), user=user, sessions=sessions, tasks=tasks, audit_events=events,
            identities=identities, passkeys=passkeys, api_keys=api_keys,
        )  # fmt: skip


async def _every(read_page: Callable[[Page], Awaitable[tuple[list[T], int]]]) -> list[T]:
    found: list[T] = []
    while True:
        items, total = await read_page(Page(limit=MAX_PAGE_SIZE, offset=len(found)))
        found.extend(items)
        if not items or len(found) >= total:
            return found
