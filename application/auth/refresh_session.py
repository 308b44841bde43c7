"""RefreshSession: rotate a refresh token into a new token pair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.auth.session_tokens import MintedRefreshToken, SessionTokens
from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import RefreshTokenReusedError, TokenInvalidError
from domain.events import SessionsRevoked
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.clock import Clock
from domain.ports.repositories import RefreshTokenLookup
from domain.sessions import RefreshVerdict, Session, TokenPair


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshSession:
    refresh_token: str
    context: RequestContext = NO_CONTEXT


class RefreshSessionHandler:
    """Exchange a refresh token for a new pair; the presented token is used up.

    - The token is used up, its successor stored and its session's use recorded at once
      (`RefreshTokenRepository.rotate`): however many requests carry it at once, exactly one
      rotates it and at most one successor ever exists.
    - Presented again within the grace window of its first use, it answers with the same
      successor (and a fresh access token), so concurrent tabs converge.
    - Presented again later, it is treated as theft: the whole session is revoked.
    - An unknown, expired or revoked token, or one whose account is disabled, is invalid.
    """

    def __init__(self, uow: UnitOfWork, tokens: SessionTokens, clock: Clock) -> None:
        self._uow, self._tokens, self._clock = uow, tokens, clock

    async def handle(self, command: RefreshSession) -> TokenPair:
        presented = command.refresh_token
        if not is_plausible_token(presented):
            raise TokenInvalidError
        now = self._clock.now()
        async with self._uow as uow:
            found = await uow.refresh_tokens.lookup(hash_token(presented))
            if found is None:
                raise TokenInvalidError
            verdict = self._tokens.policy.judge_refresh(found.token, found.session, now)
            if verdict is RefreshVerdict.ROTATE:
                verdict, successor = await self._rotate(uow, found, presented, now)
                if verdict is RefreshVerdict.ROTATE:
                    return await self._issue(uow, found, successor, command.context, now, replay=False)
            if verdict is RefreshVerdict.REPLAY:
                # The successor is derived, not random: a replay gets the very same one.
                successor = self._tokens.successor_of(presented, _active(found).session, now)
                return await self._issue(uow, found, successor, command.context, now, replay=True)
            if verdict is RefreshVerdict.REUSED:
                await self._end_stolen_session(uow, found, command.context, now)
                raise RefreshTokenReusedError
            raise TokenInvalidError

    async def _rotate(
        self, uow: UnitOfWork, found: RefreshTokenLookup, presented: str, now: datetime
    ) -> tuple[RefreshVerdict, MintedRefreshToken]:
        """Use the token up and store its successor; when another request used it first, the verdict
        on the token as it is now (a replay within the grace window, most likely)."""
        session = _active(found).session
        successor = self._tokens.successor_of(presented, session, now)
        token_hash = found.token.token_hash
        if await uow.refresh_tokens.rotate(token_hash, successor.record, now):
            return RefreshVerdict.ROTATE, successor
        record = await uow.refresh_tokens.get(token_hash)
        verdict = self._tokens.policy.judge_refresh(record, session, now) if record else RefreshVerdict.INVALID
        return verdict, successor

    async def _issue(
        self,
        uow: UnitOfWork,
        found: RefreshTokenLookup,
        successor: MintedRefreshToken,
        context: RequestContext,
        now: datetime,
        *,
        replay: bool,
    ) -> TokenPair:
        """Audit the refresh and answer with the successor and a fresh access token."""
        active = _active(found)
        await uow.audit.add(
            AuditEvent.record(
                AuditEventType.TOKEN_REFRESHED,
                user_id=active.user.id,
                context=context,
                now=now,
                data={"session_id": active.session.id, "replay": replay},
            )
        )
        await uow.commit()
        return self._tokens.pair(active.user, active.session, successor.value, now)

    async def _end_stolen_session(
        self, uow: UnitOfWork, found: RefreshTokenLookup, context: RequestContext, now: datetime
    ) -> None:
        """A used token presented after the grace window is theft: its whole session ends."""
        session_id = found.token.session_id
        await uow.sessions.revoke(session_id, now)
        await uow.audit.add(
            AuditEvent.record(
                AuditEventType.TOKEN_REUSE_DETECTED,
                user_id=found.token.user_id,
                context=context,
                now=now,
                data={"session_id": session_id},
            )
        )
        uow.record(SessionsRevoked(session_ids=(session_id,), occurred_at=now))
        await uow.commit()


@dataclass(frozen=True, slots=True)
class _ActiveSession:
    session: Session
    user: User


def _active(found: RefreshTokenLookup) -> _ActiveSession:
    """The token's session and account, when both still exist and the account is active.

    Raises:
        TokenInvalidError: the session or the account is gone, or the account is deactivated.
    """
    if found.session is None or found.user is None or not found.user.is_active:
        raise TokenInvalidError
    return _ActiveSession(found.session, found.user)
