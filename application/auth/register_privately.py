"""RegisterPrivately: create an account without telling whether the email is taken."""

from __future__ import annotations

from application.account.account_mail import AccountMail
from application.auth.register_user import RegisterUser, RegisterUserHandler
from application.unit_of_work import UnitOfWork
from domain.account_values import Email
from domain.errors import EmailTakenError
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher


class RegisterPrivatelyHandler:
    """Registration that does not reveal which email addresses have accounts.

    - A new email gets its account exactly as with `RegisterUserHandler`.
    - A taken email gets no account and no error: the owner of the address is mailed a notice
      instead, and the password is hashed all the same, so that both cases cost comparable time.
    - Every other refusal (a broken input rule, a taken username: usernames are public) is reported
      as by `RegisterUserHandler`.
    """

    def __init__(
        self, register: RegisterUserHandler, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, mail: AccountMail
    ) -> None:
        self._register, self._uow, self._hasher, self._clock, self._mail = register, uow, hasher, clock, mail

    async def handle(self, command: RegisterUser) -> None:
        try:
            await self._register.handle(command)
        except EmailTakenError:
            await self._hasher.hash(command.password)
            await self._notify_owner(command)

    async def _notify_owner(self, command: RegisterUser) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            owner = await uow.users.by_email(Email.parse(command.email))
            if owner is None:
                return  # deleted meanwhile: nothing to tell anyone
            await self._mail.queue_registration_attempt(uow, owner, now)
            await uow.commit()
