"""Authenticate: turn a bearer access token into a principal."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.errors import TokenInvalidError
from domain.model import Principal
from domain.ports import Clock, TokenIssuer

ACCESS_TOKEN_MAX_LENGTH = 8192


@dataclass(frozen=True, slots=True, kw_only=True)
class Authenticate:
    access_token: str


class AuthenticateHandler:
    """Accept a bearer access token.

    - Signature, type, issuer, audience and lifetime must be valid (the issuer's contract).
    - Tokens over a size bound are refused before they are parsed.
    - The token's session must still be active and belong to the token's subject, so logout,
      logout-all and session deletion end access tokens at once.
    """

    def __init__(self, issuer: TokenIssuer, uow: UnitOfWork, clock: Clock) -> None:
        self._issuer, self._uow, self._clock = issuer, uow, clock

    async def handle(self, command: Authenticate) -> Principal:
        if not command.access_token or len(command.access_token) > ACCESS_TOKEN_MAX_LENGTH:
            raise TokenInvalidError
        now = self._clock.now()
        claims = self._issuer.verify(command.access_token, now)
        async with self._uow as uow:
            session = await uow.sessions.get(claims.session_id)
        if session is None or session.user_id != claims.subject or not session.is_active(now):
            raise TokenInvalidError
        return Principal(user_id=claims.subject, session_id=claims.session_id, roles=claims.roles)
