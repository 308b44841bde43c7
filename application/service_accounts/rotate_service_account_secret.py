"""RotateServiceAccountSecret: an administrator gives a service account a new secret, shown once."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import UnitOfWork
from domain.accounts import Permission
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import ServiceAccountNotFoundError
from domain.ids import UserId, is_plausible_id
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher
from domain.ports.secret_generator import SecretGenerator
from domain.service_accounts import ServiceAccountId


@dataclass(frozen=True, slots=True, kw_only=True)
class RotateServiceAccountSecret:
    actor_id: UserId | None
    account_id: str
    context: RequestContext = NO_CONTEXT


class RotateServiceAccountSecretHandler:
    """Replace a service account's client secret.

    - Needs the `users:manage` permission (`actor_id` None: an operator at the command line); an
      unknown or deleted id is 404.
    - The new secret (256 random bits) is returned once and stored only as an argon2id hash; the old
      one stops working at once.
    - Access tokens already granted keep working until they expire (the access token lifetime, 15
      minutes by default): a rotation is routine, and the clients running on them get a new token
      with the new secret. To end them at once too, delete the account.
    - Audited as `service_account.secret_rotated`.
    """

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, secrets: SecretGenerator, clock: Clock) -> None:
        self._uow, self._hasher, self._secrets, self._clock = uow, hasher, secrets, clock

    async def handle(self, command: RotateServiceAccountSecret) -> str:
        if not is_plausible_id(command.account_id):
            raise ServiceAccountNotFoundError
        secret = self._secrets.token()
        secret_hash = await self._hasher.hash(secret)
        now = self._clock.now()
        async with self._uow as uow:
            await require(uow, command.actor_id, Permission.USERS_MANAGE)
            rotated = await uow.service_accounts.rotate_secret(ServiceAccountId(command.account_id), secret_hash, now)
            if rotated is None:
                raise ServiceAccountNotFoundError
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.SERVICE_ACCOUNT_SECRET_ROTATED,
                    user_id=rotated.subject,
                    context=command.context,
                    now=now,
                    data={"actor_id": command.actor_id, "client_id": rotated.client_id},
                )
            )
            await uow.commit()
        return secret
