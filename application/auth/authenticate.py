"""Authenticate: turn a bearer access token into a principal."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InsufficientScopeError, TokenInvalidError
from domain.ports.clock import Clock
from domain.ports.revocation_list import RevocationList
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import Access, AccessClaims, Principal, PrincipalKind

ACCESS_TOKEN_MAX_LENGTH = 8192


@dataclass(frozen=True, slots=True, kw_only=True)
class Authenticate:
    access_token: str
    # What the requested use case needs; None: anything (only a service account's token is judged by it).
    access: Access | None = None


class AuthenticateHandler:
    """Accept a bearer access token.

    - Signature, type, issuer, audience and lifetime must be valid (the issuer's contract).
    - Tokens over a size bound are refused before they are parsed.
    - The token must not be on the revocation list, so logout, logout-all, session deletion and
      refresh-token reuse end access tokens at once. No database is read: this runs on every request.
    - A token of a service account (it carries `client_id` and `scope`) is a service principal: it
      may use the task use cases its scopes name, and nothing else (403, `Principal.may`). Deleting
      the account revokes its tokens through the same list (its id is their `sub`).
    """

    def __init__(self, issuer: TokenIssuer, revocations: RevocationList, clock: Clock) -> None:
        self._issuer, self._revocations, self._clock = issuer, revocations, clock

    async def handle(self, command: Authenticate) -> Principal:
        if not command.access_token or len(command.access_token) > ACCESS_TOKEN_MAX_LENGTH:
            raise TokenInvalidError
        now = self._clock.now()
        claims = self._issuer.verify(command.access_token, now)
        if self._revocations.is_revoked(claims, now):
            raise TokenInvalidError
        principal = _principal(claims)
        if command.access is not None and not principal.may(command.access):
            raise InsufficientScopeError
        return principal


def _principal(claims: AccessClaims) -> Principal:
    if claims.is_service:
        return Principal(
            user_id=claims.subject,
            session_id=claims.session_id,
            roles=(),
            kind=PrincipalKind.SERVICE,
            scopes=frozenset(claims.scopes),
        )
    return Principal(user_id=claims.subject, session_id=claims.session_id, roles=claims.roles, amr=claims.amr)
