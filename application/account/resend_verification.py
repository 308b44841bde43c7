"""ResendVerification: mail a new verification link to the caller."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.account_mail import AccountMail
from application.unit_of_work import UnitOfWork
from domain.ids import UserId
from domain.one_time_tokens import TokenPurpose
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class ResendVerification:
    user_id: UserId


class ResendVerificationHandler:
    """Queue a new verification mail for the caller's address.

    - Earlier verification links stop working: only the newest one counts.
    - Nothing is sent when the address is already verified (the answer is the same).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, mail: AccountMail) -> None:
        self._uow, self._clock, self._mail = uow, clock, mail

    async def handle(self, command: ResendVerification) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(command.user_id)
            if user is None or user.email_verified:
                return
            await uow.one_time_tokens.invalidate_for_user(user.id, TokenPurpose.EMAIL_VERIFICATION, now)
            await self._mail.queue_email_verification(uow, user, now)
            await uow.commit()
