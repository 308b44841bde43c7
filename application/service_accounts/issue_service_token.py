"""IssueServiceToken: the OAuth2 client credentials grant (RFC 6749 section 4.4)."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.errors import InvalidClientError
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
    client_id: str
    client_secret: str
    # The OAuth2 `scope` parameter, space-separated; None: every scope of the account.
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceToken:
    """An access token of a service account; there is no refresh token (RFC 6749 section 4.4.3)."""

    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


class IssueServiceTokenHandler:
    """Grant an access token to a service account that proves its client secret.

    - An unknown client id, a deleted account and a wrong secret fail alike (401 `invalid_client`),
      after the same hashing work (an unknown client costs one verify against a dummy hash).
      Oversized values are refused before any lookup. A right secret under an outdated hash is
      stored again under the current parameters (unless the secret was rotated meanwhile).
    - `scope`, when given, must name only scopes granted to the account (400 `invalid_scope`);
      without it the token carries them all.
    - The token is an RFC 9068 access token with `sub` (and `sid`) the account's id, `client_id` and
      `scope`; it lives the access token lifetime, and comes without a refresh token: the client asks
      again with its credentials.
    """

    def __init__(
        self,
        reader: ReadOnlyUnitOfWork,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        issuer: TokenIssuer,
        policy: SessionPolicy,
        clock: Clock,
    ) -> None:
        self._reader, self._uow, self._hasher, self._issuer = reader, uow, hasher, issuer
        self._policy, self._clock = policy, clock

    async def handle(self, command: IssueServiceToken) -> ServiceToken:
        requested = parse_scope_parameter(command.scope)
        account = await self._authenticated(command)
        scopes = tuple(sorted(scope.value for scope in account.granted(requested)))
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
        if (
            not command.client_id
            or len(command.client_id) > CLIENT_ID_MAX_LENGTH
            or len(command.client_secret) > CLIENT_SECRET_MAX_LENGTH
        ):
            raise InvalidClientError
        async with self._reader as view:
            account = await view.service_accounts.by_client_id(command.client_id)
        if account is None:
            await self._hasher.verify_dummy(command.client_secret)
            raise InvalidClientError
        check = await self._hasher.verify(command.client_secret, account.secret_hash)
        if not check.ok:
            raise InvalidClientError
        if check.upgraded_hash is not None:
            async with self._uow as uow:
                await uow.service_accounts.upgrade_secret_hash(account.id, account.secret_hash, check.upgraded_hash)
                await uow.commit()
        return account
