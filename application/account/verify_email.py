"""VerifyEmail: confirm an email address with a mailed token."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import OneTimeTokenInvalidError
from domain.one_time_tokens import TokenPurpose
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyEmail:
    token: str
    context: RequestContext = NO_CONTEXT


class VerifyEmailHandler:
    """Mark the email of the token's account verified.

    - The token is single use; an unknown, malformed, expired or used token is refused.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: VerifyEmail) -> None:
        if not is_plausible_token(command.token):
            raise OneTimeTokenInvalidError
        token_hash = hash_token(command.token)
        now = self._clock.now()
        async with self._uow as uow:
            token = await uow.one_time_tokens.get(token_hash)
            if token is None or not await uow.one_time_tokens.use(token_hash, TokenPurpose.EMAIL_VERIFICATION, now):
                raise OneTimeTokenInvalidError
            user = await uow.users.get(token.user_id)
            if user is None:
                raise OneTimeTokenInvalidError
            user.verify_email(now)
            await uow.users.update(user)
            await uow.audit.add(
                AuditEvent.record(AuditEventType.EMAIL_VERIFIED, user_id=user.id, context=command.context, now=now)
            )
            await uow.commit()
