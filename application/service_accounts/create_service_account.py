"""CreateServiceAccount: an administrator makes a machine client; its secret is shown once."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import require
from application.unit_of_work import UnitOfWork
from domain.accounts import Permission
from domain.api_keys import Scope
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import FieldError, ValidationFailedError, collected
from domain.ids import UserId
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher
from domain.ports.secret_generator import SecretGenerator
from domain.service_accounts import (
    ServiceAccount,
    new_client_id,
    new_service_account_id,
    scope_text,
    service_account_name,
    service_account_scopes,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateServiceAccount:
    actor_id: UserId | None
    name: str
    scopes: list[str]
    context: RequestContext = NO_CONTEXT


@dataclass(frozen=True, slots=True)
class NewServiceAccount:
    """The account as stored, and its client secret, which is shown once and never again."""

    account: ServiceAccount
    client_secret: str


class CreateServiceAccountHandler:
    """Make a service account (a client of the client credentials grant).

    - Needs the `users:manage` permission (`actor_id` None: an operator at the command line).
    - `name`: 1 to 100 characters without control characters; `scopes`: one or more of `tasks:read`
      and `tasks:write`. Every broken rule is listed (422).
    - The public `client_id` is `svc_` and 128 random bits; the `client_secret` carries 256 random
      bits, is shown once and stored only as an argon2id hash (the password hasher's).
    - Audited as `service_account.created` (its `user_id` is the service account's id).
    """

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, secrets: SecretGenerator, clock: Clock) -> None:
        self._uow, self._hasher, self._secrets, self._clock = uow, hasher, secrets, clock

    async def handle(self, command: CreateServiceAccount) -> NewServiceAccount:
        errors: list[FieldError] = []
        name = collected(errors, lambda: service_account_name(command.name), "")
        no_scopes: frozenset[Scope] = frozenset()
        scopes = collected(errors, lambda: service_account_scopes(command.scopes), no_scopes)
        if errors:
            raise ValidationFailedError(errors)
        secret = self._secrets.token()
        secret_hash = await self._hasher.hash(secret)
        now = self._clock.now()
        account = ServiceAccount(
            id=new_service_account_id(), name=name, client_id=new_client_id(), secret_hash=secret_hash,
            scopes=scopes, created_at=now,
        )  # fmt: skip
        async with self._uow as uow:
            await require(uow, command.actor_id, Permission.USERS_MANAGE)
            await uow.service_accounts.add(account)
            data = {"actor_id": command.actor_id, "client_id": account.client_id, "scopes": scope_text(scopes)}
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.SERVICE_ACCOUNT_CREATED,
                    user_id=account.subject,
                    context=command.context,
                    now=now,
                    data=dict(data),
                )
            )
            await uow.commit()
        return NewServiceAccount(account=account, client_secret=secret)
