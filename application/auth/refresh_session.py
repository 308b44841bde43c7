"""RefreshSession: rotate a refresh token into a new token pair."""

from __future__ import annotations

from dataclasses import dataclass

from application.auth.session_tokens import SessionTokens
from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import RefreshTokenReusedError, TokenInvalidError
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.clock import Clock
from domain.ports.revocation_list import RevocationList
from domain.sessions import RefreshToken, RefreshVerdict, TokenPair


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

    def __init__(self, uow: UnitOfWork, tokens: SessionTokens, clock: Clock, revocations: RevocationList) -> None:
        self._uow, self._tokens, self._clock, self._revocations = uow, tokens, clock, revocations

    async def handle(self, command: RefreshSession) -> TokenPair:
        presented = command.refresh_token
        if not is_plausible_token(presented):
            raise TokenInvalidError
        token_hash = hash_token(presented)
        now = self._clock.now()
        policy = self._tokens.policy
        async with self._uow as uow:
            found = await uow.refresh_tokens.lookup(token_hash)
            if found is None:
                raise TokenInvalidError
            record: RefreshToken | None = found.token
            session, user, session_id = found.session, found.user, found.token.session_id
            verdict = policy.judge_refresh(found.token, session, now)
            successor = None
            if verdict is RefreshVerdict.ROTATE:
                if session is None or user is None or not user.is_active:
                    raise TokenInvalidError
                successor = self._tokens.successor_of(presented, session, now)
                if not await uow.refresh_tokens.rotate(token_hash, successor.record, now):
                    # Another request used it first: judge again as the replay it now is.
                    record = await uow.refresh_tokens.get(token_hash)
                    verdict = policy.judge_refresh(record, session, now) if record else RefreshVerdict.INVALID
            if verdict is RefreshVerdict.REUSED:
                await uow.sessions.revoke(session_id, now)
                await uow.audit.add(
                    AuditEvent.record(
                        AuditEventType.TOKEN_REUSE_DETECTED,
                        user_id=record.user_id if record else None,
                        context=command.context,
                        now=now,
                        data={"session_id": session_id},
                    )
                )
                await uow.commit()
                await self._revocations.revoke_sessions([session_id], until=policy.revocation_until(now))
                raise RefreshTokenReusedError
            if verdict is RefreshVerdict.INVALID or session is None or user is None or not user.is_active:
                raise TokenInvalidError
            if successor is None:
                # A replay within the grace window answers with the same successor: it is derived, not random.
                successor = self._tokens.successor_of(presented, session, now)
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.TOKEN_REFRESHED,
                    user_id=user.id,
                    context=command.context,
                    now=now,
                    data={"session_id": session.id, "replay": verdict is RefreshVerdict.REPLAY},
                )
            )
            await uow.commit()
        return self._tokens.pair(user, session, successor.value, now)
