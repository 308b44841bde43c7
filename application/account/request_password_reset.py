"""RequestPasswordReset: mail a single-use reset link."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.account_mail import AccountMail
from application.unit_of_work import UnitOfWork
from domain.account_values import Email
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import ValidationFailedError
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestPasswordReset:
    email: str
    context: RequestContext = NO_CONTEXT


class RequestPasswordResetHandler:
    """Queue a password-reset mail.

    - The answer is the same whether or not an account has the email (even a malformed one), and
      the mail itself leaves later through the outbox, so neither the answer nor its timing tells
      whether the email is registered.
    - The mail is only sent for an existing, active account.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, mail: AccountMail) -> None:
        self._uow, self._clock, self._mail = uow, clock, mail

    async def handle(self, command: RequestPasswordReset) -> None:
        try:
            email = Email.parse(command.email)
        except ValidationFailedError:
            return
        async with self._uow as uow:
            user = await uow.users.by_email(email)
            if user is None or not user.is_active:
                return
            now = self._clock.now()
            await self._mail.queue_password_reset(uow, user, now)
            event = AuditEvent.record(
                AuditEventType.PASSWORD_RESET_REQUESTED, user_id=user.id, context=command.context, now=now
            )
            await uow.audit.add(event)
            await uow.commit()
