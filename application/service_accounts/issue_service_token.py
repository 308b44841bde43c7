"""IssueServiceToken: the OAuth2 client credentials grant (RFC 6749 section 4.4)."""

from __future__ import annotations

from dataclasses import dataclass

from application.messagebus import EventPublisher
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import InvalidClientError, InvalidScopeError
from domain.events import ClientCredentialsChecked
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher
from domain.ports.token_issuer import TokenIssuer
from domain.service_accounts import (
    CLIENT_ID_MAX_LENGTH,
    CLIENT_SECRET_MAX_LENGTH,
    ServiceAccount,
    parse_scope_parameter,
)
from domain.sessions import AccessClaims, SessionPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueServiceToken:
    # Empty when the request authenticated no client (or malformed its Basic credentials).
    client_id: str
    client_secret: str
    # The OAuth2 `scope` parameter, space-separated; None: every scope of the account.
    scope: str | None = None
    context: RequestContext = NO_CONTEXT


@dataclass(frozen=True, slots=True)
class ServiceToken:
    """An access token of a service account; there is no refresh token (RFC 6749 section 4.4.3)."""

    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


class IssueServiceTokenHandler:
    """Grant an access token to a service account that proves its client secret.

    - An unknown client id, a deleted account and a wrong secret fail alike (401 `invalid_client`),
      after the same hashing work (an unknown client costs one verify against a dummy hash). No
      client authentication and oversized values are refused before any lookup. A right secret
      under an outdated hash is stored again under the current parameters (unless the secret was
      rotated meanwhile).
    - `scope`, when given, must name only scopes granted to the account (400 `invalid_scope`);
      without it the token carries them all.
    - The token is an RFC 9068 access token with `sub` (and `sid`) the account's id, `client_id` and
      `scope`; it lives the access token lifetime, and comes without a refresh token: the client asks
      again with its credentials.
    - Every grant is counted by its result (`ClientCredentialsChecked`: `success`, `invalid_client`,
      `invalid_scope`). A refusal of a stored account (a wrong secret, or a scope it lacks) is
      audited as `service_account.refused` with the `reason` (`wrong_secret`, `invalid_scope`) and
      its `client_id`; any other refusal names no account to attach an event to, and is only counted.
    """

    def __init__(
        self,
        reader: ReadOnlyUnitOfWork,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        issuer: TokenIssuer,
        policy: SessionPolicy,
        events: EventPublisher,
        clock: Clock,
    ) -> None:
        self._reader, self._uow, self._hasher, self._issuer = reader, uow, hasher, issuer
        self._policy, self._events, self._clock = policy, events, clock

    async def handle(self, command: IssueServiceToken) -> ServiceToken:
        try:
            token = await self._granted(command)
        except (InvalidClientError, InvalidScopeError) as refusal:
            await self._checked(refusal.code)
            raise
        await self._checked("success")
        return token

    async def _granted(self, command: IssueServiceToken) -> ServiceToken:
        if (
            not command.client_id
            or len(command.client_id) > CLIENT_ID_MAX_LENGTH
            or len(command.client_secret) > CLIENT_SECRET_MAX_LENGTH
        ):
            raise InvalidClientError
        requested = parse_scope_parameter(command.scope)
        account = await self._authenticated(command)
        try:
            granted = account.granted(requested)
        except InvalidScopeError:
            await self._refuse(account, "invalid_scope", command.context)
            raise
        scopes = tuple(sorted(scope.value for scope in granted))
        now = self._clock.now()
        claims = AccessClaims(
            subject=account.subject,
            session_id=account.subject_session,
            roles=(),
            issued_at=now,
            expires_at=now + self._policy.access_ttl,
            client_id=account.client_id,
            scopes=scopes,
        )
        return ServiceToken(
            access_token=self._issuer.issue(claims),
            expires_in=int(self._policy.access_ttl.total_seconds()),
            scopes=scopes,
        )

    async def _authenticated(self, command: IssueServiceToken) -> ServiceAccount:
        async with self._reader as view:
            account = await view.service_accounts.by_client_id(command.client_id)
        if account is None:
            await self._hasher.verify_dummy(command.client_secret)
            raise InvalidClientError
        check = await self._hasher.verify(command.client_secret, account.secret_hash)
        if not check.ok:
            await self._refuse(account, "wrong_secret", command.context)
            raise InvalidClientError
        if check.upgraded_hash is not None:
            async with self._uow as uow:
                await uow.service_accounts.upgrade_secret_hash(account.id, account.secret_hash, check.upgraded_hash)
                await uow.commit()
        return account

    async def _refuse(self, account: ServiceAccount, reason: str, context: RequestContext) -> None:
        # The client id is public (it names the client); the presented secret is never recorded.
        event = AuditEvent.record(
            AuditEventType.SERVICE_ACCOUNT_REFUSED,
            user_id=account.subject,
            context=context,
            now=self._clock.now(),
            data={"client_id": account.client_id, "reason": reason},
        )
        async with self._uow as uow:
            await uow.audit.add(event)
            await uow.commit()

    async def _checked(self, result: str) -> None:
        await self._events.publish([ClientCredentialsChecked(result=result, occurred_at=self._clock.now())])
