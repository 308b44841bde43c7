"""RequestPasswordReset: queue a request for a single-use reset link, composed later by the outbox worker."""

from __future__ import annotations

import json
from dataclasses import dataclass

from application.unit_of_work import UnitOfWork
from domain.account_values import Email
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import ValidationFailedError
from domain.mail import mail_request
from domain.ports.clock import Clock

PASSWORD_RESET_COMPOSER = "password_reset"


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestPasswordReset:
    email: str
    context: RequestContext = NO_CONTEXT


class RequestPasswordResetHandler:
    """Queue a password-reset request.

    - The answer is the same whether or not an account has the email (even a malformed one), and so
      is the work: the request is written to the outbox as it is, without looking the address up,
      so neither the answer nor its timing tells whether the email is registered. Whether a link is
      due (an active account, under the per-account limit) is decided when the outbox worker
      composes the request (`ComposePasswordReset`).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: RequestPasswordReset) -> None:
        try:
            email = Email.parse(command.email)
        except ValidationFailedError:
            return
        details = json.dumps({"ip": command.context.ip, "user_agent": command.context.user_agent})
        async with self._uow as uow:
            await uow.outbox.add(mail_request(PASSWORD_RESET_COMPOSER, email.value, details), self._clock.now())
            await uow.commit()
