"""AuthenticateApiKey: turn a presented API key into a principal, for the use case it asks for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from application.api_keys.api_key_cache import ApiKeyCache, CachedKey
from application.api_keys.api_key_uses import ApiKeyUses
from application.messagebus import EventPublisher
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.api_keys import ApiKey, hash_api_key, is_api_key_shaped
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import InsufficientScopeError, TokenInvalidError
from domain.events import ApiKeyChecked
from domain.ids import SessionId
from domain.ports.api_key_codec import ApiKeyCodec
from domain.ports.clock import Clock
from domain.ports.revocation_list import RevocationList
from domain.sessions import Access, Principal, PrincipalKind


def _no_context() -> RequestContext:
    return NO_CONTEXT


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticateApiKey:
    key: str
    # What the requested use case needs; None: any scope (GET /auth/verify tells the gateway the scopes).
    access: Access | None
    # Where the request comes from (its `ip` is judged against the key's ranges), worked out only when
    # needed: for a key with ranges, or a refusal to audit. Most requests need neither.
    context: Callable[[], RequestContext] = _no_context


class AuthenticateApiKeyHandler:
    """Accept an API key for a request.

    - A key this service did not mint (its shape, and its tag unless its hash is in this process's
      cache, are checked from the text alone: a 10 MB value, NUL bytes or `bst_` with garbage) is 401
      without any lookup.
    - The key is looked up by its hash in this process's cache, read from the store only when not
      there (`ApiKeyCache`); then it must be unrevoked (stored, and not on the revocation list, which
      every revocation reaches on every process at once), unexpired, and used from a client IP inside
      its ranges when it has any: otherwise 401.
    - The principal acts for the key's owner with the key's scopes only: a use case that needs what
      they do not allow, and every use case of account management or administration, is 403
      (`Principal.may`).
    - Refusals of a stored key are audited (`api_key.refused`, with the reason); every check is
      counted (`ApiKeyChecked`). An accepted key's use is noted in memory (`ApiKeyUses`), and
      written to the store in batches, never a write per request.
    """

    def __init__(
        self, codec: ApiKeyCodec, reader: Callable[[], ReadOnlyUnitOfWork], uow: Callable[[], UnitOfWork],
        cache: ApiKeyCache, uses: ApiKeyUses, revocations: RevocationList, events: EventPublisher, clock: Clock,
    ) -> None:  # fmt: skip
        self._codec, self._reader, self._uow, self._cache, self._uses = codec, reader, uow, cache, uses
        self._revocations, self._events, self._clock = revocations, events, clock

    async def handle(self, command: AuthenticateApiKey) -> Principal:
        now = self._clock.now()
        if not is_api_key_shaped(command.key):
            await self._checked("invalid", now)
            raise TokenInvalidError
        key_hash = hash_api_key(command.key)
        cached, known = self._cache.get(key_hash, now)
        if not cached:
            # The tag first: a forgery never reaches the store. A hash found in the cache was a
            # genuine key's when it was put there, so its tag needs no new check.
            if not self._codec.is_genuine(command.key):
                await self._checked("invalid", now)
                raise TokenInvalidError
            known = await self._stored(key_hash, now)
        if known is None:
            await self._checked("invalid", now)
            raise TokenInvalidError
        key, principal = known
        refusal = _refusal(key, command, now, self._revocations.is_session_revoked(key.id, now))
        if refusal is None and command.access is not None and not principal.may(command.access):
            refusal = "scope"
        if refusal is not None:
            await self._refuse(key, refusal, command.context(), now)
            raise InsufficientScopeError if refusal == "scope" else TokenInvalidError
        self._uses.note(key.id, now)
        await self._checked("success", now)
        return principal

    async def _stored(self, key_hash: str, now: datetime) -> CachedKey | None:
        async with self._reader() as view:
            key = await view.api_keys.by_hash(key_hash)
        known = (key, principal_of(key)) if key is not None else None
        self._cache.put(key_hash, known, now)
        return known

    async def _checked(self, result: str, now: datetime) -> None:
        await self._events.publish([ApiKeyChecked(result=result, occurred_at=now)])

    async def _refuse(self, key: ApiKey, reason: str, context: RequestContext, now: datetime) -> None:
        event = AuditEvent.record(
            AuditEventType.API_KEY_REFUSED,
            user_id=key.user_id,
            context=context,
            now=now,
            data={"key_id": key.id, "reason": reason},
        )
        async with self._uow() as uow:
            await uow.audit.add(event)
            await uow.commit()
        await self._checked(reason, now)


def _refusal(key: ApiKey, command: AuthenticateApiKey, now: datetime, revoked: bool) -> str | None:
    """Why the stored `key` cannot be used for this request (scope aside), or None."""
    if revoked or key.revoked_at is not None:
        return "revoked"
    if not key.usable(now):
        return "expired"
    if key.allowed_networks and not key.allows_ip(command.context().ip):
        return "ip_not_allowed"
    return None


def principal_of(key: ApiKey) -> Principal:
    """The caller a key makes: its owner, with the key's scopes and nothing else."""
    return Principal(
        user_id=key.user_id,
        session_id=SessionId(key.id),
        roles=(),
        kind=PrincipalKind.API_KEY,
        scopes=frozenset(scope.value for scope in key.scopes),
    )
