"""RevokeApiKey: end one of the caller's API keys, on every process at once."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.api_keys import ApiKeyId
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import ApiKeyNotFoundError
from domain.events import api_keys_revoked
from domain.ids import UserId, is_plausible_id
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeApiKey:
    user_id: UserId
    key_id: str
    # Who revokes it, for the audit trail: the owner, or an operator at the command line.
    by: str = "owner"
    context: RequestContext = NO_CONTEXT


class RevokeApiKeyHandler:
    """Revoke one of the caller's API keys.

    - Another account's key, a revoked one, or an id that names none is 404 alike.
    - The key stops working at once in this process and, through the revocation list, on every
      other one (at once with Redis, within a second from the database's revocation log).
    - Audited as `api_key.revoked`.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: RevokeApiKey) -> None:
        if not is_plausible_id(command.key_id):
            raise ApiKeyNotFoundError
        now = self._clock.now()
        async with self._uow as uow:
            revoked = await uow.api_keys.revoke(ApiKeyId(command.key_id), command.user_id, now)
            if revoked is None:
                raise ApiKeyNotFoundError
            uow.record(api_keys_revoked([revoked.id], now))
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.API_KEY_REVOKED,
                    user_id=command.user_id,
                    context=command.context,
                    now=now,
                    data={"key_id": revoked.id, "by": command.by},
                )
            )
            await uow.commit()
