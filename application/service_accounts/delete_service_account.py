"""DeleteServiceAccount: an administrator ends a service account and every token it holds."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import UnitOfWork
from domain.accounts import Permission
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import ServiceAccountNotFoundError
from domain.events import SessionsRevoked, UserRevoked
from domain.ids import UserId, is_plausible_id
from domain.ports.clock import Clock
from domain.service_accounts import ServiceAccountId


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteServiceAccount:
    actor_id: UserId | None
    account_id: str
    context: RequestContext = NO_CONTEXT


class DeleteServiceAccountHandler:
    """Delete a service account.

    - Needs the `users:manage` permission (`actor_id` None: an operator at the command line); an
      unknown or already deleted id is 404.
    - Its secret stops working at once, and so do the access tokens it was granted, on every
      process: their `sub` and their `sid` are its id, revoked through the revocation list like a
      user's tokens and a session's.
    - Audited as `service_account.deleted`.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: DeleteServiceAccount) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            await require(uow, command.actor_id, Permission.USERS_MANAGE)
            deleted = None
            if is_plausible_id(command.account_id):
                deleted = await uow.service_accounts.delete(ServiceAccountId(command.account_id), now)
            if deleted is None:
                raise ServiceAccountNotFoundError
            # By `sub` as a user's tokens die, and by `sid` (the account's id too): a `UserRevoked`
            # spares tokens issued in the very second of the deletion (tokens count whole seconds);
            # the session entry kills every token of the account until the last could expire.
            uow.record(
                UserRevoked(user_id=deleted.subject, occurred_at=now),
                SessionsRevoked(session_ids=(deleted.subject_session,), occurred_at=now),
            )
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.SERVICE_ACCOUNT_DELETED,
                    user_id=deleted.subject,
                    context=command.context,
                    now=now,
                    data={"actor_id": command.actor_id, "client_id": deleted.client_id},
                )
            )
            await uow.commit()
