"""Authenticate: turn a bearer access token into a principal."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import TokenInvalidError
from domain.ports.clock import Clock
from domain.ports.revocation_list import RevocationList
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import Principal

ACCESS_TOKEN_MAX_LENGTH = 8192


@dataclass(frozen=True, slots=True, kw_only=True)
class Authenticate:
    access_token: str


class AuthenticateHandler:
    """Accept a bearer access token.

    - Signature, type, issuer, audience and lifetime must be valid (the issuer's contract).
    - Tokens over a size bound are refused before they are parsed.
    - The token must not be on the revocation list, so logout, logout-all, session deletion and
      refresh-token reuse end access tokens at once. No database is read: this runs on every request.
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
        return Principal(user_id=claims.subject, session_id=claims.session_id, roles=claims.roles, amr=claims.amr)
