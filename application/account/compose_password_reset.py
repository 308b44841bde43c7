"""ComposePasswordReset: turn a queued password-reset request into a reset mail, when one is due."""

from __future__ import annotations

import json

from application.account.account_mail import AccountMail
from application.ops.deliver_outbox import MailComposer
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.account_values import Email
from domain.audit import AuditEvent, AuditEventType, RequestContext
from domain.errors import ValidationFailedError
from domain.mail import MailMessage
from domain.one_time_tokens import AccountTokenPolicy
from domain.ports.clock import Clock
from domain.ports.throttling import LoginAttemptCounter


class ComposePasswordReset(MailComposer):
    """Compose the request that `RequestPasswordResetHandler` queued, in the outbox worker.

    - Nothing is sent unless an active account has the address.
    - At most `reset_mails_per_window` reset mails per account in any `reset_mail_window` (3 an
      hour by default), whatever the client addresses: each mail is counted first, atomically and
      shared by every process (the database counter of the lockout, under its own key), so parallel
      requests cannot exceed it. A request over the limit sends nothing and is audited as such.
    - A due mail carries a new single-use link, and makes older reset links of the account invalid.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        reader: ReadOnlyUnitOfWork,
        clock: Clock,
        mail: AccountMail,
        counter: LoginAttemptCounter,
        policy: AccountTokenPolicy,
    ) -> None:
        self._uow, self._reader, self._clock, self._mail = uow, reader, clock, mail
        self._counter, self._policy = counter, policy

    async def compose(self, request: MailMessage) -> None:
        try:
            email = Email.parse(request.to)
        except ValidationFailedError as error:
            raise ValueError("not a password-reset request") from error
        async with self._reader as view:
            user = await view.users.by_email(email)
        if user is None or not user.is_active:
            return
        now = self._clock.now()
        decision = await self._counter.begin(
            f"password-reset-mail:{user.id}",
            max_failures=self._policy.reset_mails_per_window,
            lockout=self._policy.reset_mail_window,
            now=now,
        )
        async with self._uow as uow:
            current = await uow.users.get(user.id)
            if current is None or not current.is_active:
                return
            if decision.allowed:
                await self._mail.queue_password_reset(uow, current, now)
            event = AuditEvent.record(
                AuditEventType.PASSWORD_RESET_REQUESTED,
                user_id=current.id,
                context=_context(request.text),
                now=now,
                data={"mailed": decision.allowed},
            )
            await uow.audit.add(event)
            await uow.commit()


def _context(details: str) -> RequestContext:
    try:
        values = json.loads(details)
        return RequestContext(ip=values.get("ip"), user_agent=values.get("user_agent"))
    except (ValueError, AttributeError):
        return RequestContext()
