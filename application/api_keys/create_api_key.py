"""CreateApiKey: a new personal API key for the caller, shown once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network

from application.permissions import acting_account
from application.unit_of_work import UnitOfWork
from domain.accounts import Permission
from domain.api_keys import (
    MAX_API_KEYS_PER_USER,
    MAX_EXPIRES_IN_DAYS,
    SCOPE_PERMISSIONS,
    ApiKey,
    Scope,
    api_key_name,
    hash_api_key,
    new_api_key_id,
    parse_networks,
    parse_scopes,
    shown_part,
)
from domain.audit import NO_CONTEXT, AuditData, AuditEvent, AuditEventType, RequestContext
from domain.errors import FieldError, TooManyApiKeysError, ValidationFailedError, collected
from domain.ids import UserId
from domain.ports.api_key_codec import ApiKeyCodec
from domain.ports.clock import Clock

Network = IPv4Network | IPv6Network


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateApiKey:
    user_id: UserId
    name: str
    scopes: list[str]
    expires_in_days: int | None = None
    allowed_ips: list[str] | None = None
    context: RequestContext = NO_CONTEXT


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """The key as stored, and the key itself, which is shown once and never again."""

    key: ApiKey
    secret: str


class CreateApiKeyHandler:
    """Make a personal API key for the caller.

    - Only a login's session may (a key can never make keys): the route's use case needs the account.
    - `name`: 1 to 100 characters; `scopes`: one or more of `tasks:read` and `tasks:write`, each a
      power the owner has (a key never does more than its owner); `expires_in_days`: 1 to 3650, or
      none; `allowed_ips`: up to 32 IPv4 or IPv6 ranges (CIDR; an address alone is a range of one),
      or none for any. Every broken rule is listed (422).
    - At most 50 unrevoked keys per account (409).
    - The key is `bst_`, 256 random bits and a tag; it is stored only as its SHA-256 hash, with its
      first 12 characters to recognise it. Audited as `api_key.created`.
    """

    def __init__(self, uow: UnitOfWork, codec: ApiKeyCodec, clock: Clock) -> None:
        self._uow, self._codec, self._clock = uow, codec, clock

    async def handle(self, command: CreateApiKey) -> NewApiKey:
        name, scopes, networks = _parsed(command)
        now = self._clock.now()
        secret = self._codec.new_key()
        expires = now + timedelta(days=command.expires_in_days) if command.expires_in_days is not None else None
        key = ApiKey(
            id=new_api_key_id(), user_id=command.user_id, name=name, shown=shown_part(secret),
            key_hash=hash_api_key(secret), scopes=scopes, allowed_networks=networks, created_at=now,
            expires_at=expires,
        )  # fmt: skip
        async with self._uow as uow:
            owner = await acting_account(uow, command.user_id, Permission.TASKS_OWN)
            if not all(owner.can(SCOPE_PERMISSIONS[scope]) for scope in scopes):
                raise ValidationFailedError([FieldError("scopes", "A key cannot do what its owner cannot.")])
            if await uow.api_keys.count_unrevoked(owner.id) >= MAX_API_KEYS_PER_USER:
                raise TooManyApiKeysError
            await uow.api_keys.add(key)
            data: AuditData = {"key_id": key.id, "scopes": " ".join(sorted(scope.value for scope in scopes))}
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.API_KEY_CREATED, user_id=owner.id, context=command.context, now=now, data=data
                )
            )
            await uow.commit()
        return NewApiKey(key=key, secret=secret)


def _parsed(command: CreateApiKey) -> tuple[str, frozenset[Scope], tuple[Network, ...]]:
    """The command's name, scopes and networks, every broken rule reported at once."""
    errors: list[FieldError] = []
    name = collected(errors, lambda: api_key_name(command.name), "")
    no_scopes: frozenset[Scope] = frozenset()
    no_networks: tuple[Network, ...] = ()
    scopes = collected(errors, lambda: parse_scopes(command.scopes), no_scopes)
    networks = collected(errors, lambda: parse_networks(command.allowed_ips or []), no_networks)
    days = command.expires_in_days
    if days is not None and not 1 <= days <= MAX_EXPIRES_IN_DAYS:
        errors.append(FieldError("expires_in_days", f"Give 1 to {MAX_EXPIRES_IN_DAYS} days, or none."))
    if errors:
        raise ValidationFailedError(errors)
    return name, scopes, networks
