"""RegisterUser: create an account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from application.account.account_mail import AccountMail
from application.passwords import NewPasswordRules
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.account_values import Email, Username, parse_full_name
from domain.accounts import User
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import EmailTakenError, FieldError, UsernameTakenError, ValidationFailedError
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterUser:
    email: str
    username: str
    password: str
    full_name: str | None = None
    context: RequestContext = NO_CONTEXT


T = TypeVar("T")


class NewAccount(Protocol):
    """A domain factory of accounts (`User.register`, `User.register_admin`)."""

    def __call__(
        self, *, email: Email, username: Username, full_name: str | None, hashed_password: str, now: datetime
    ) -> User: ...


def _collect(errors: list[FieldError], parse: Callable[[], T]) -> T | None:
    try:
        return parse()
    except ValidationFailedError as exc:
        errors.extend(exc.errors)
        return None


class RegisterUserHandler:
    """Create an account.

    - Every broken input rule (email, username, full name, password policy with its list of
      common passwords) is reported at once; then, before anything else, a configured breach check
      refuses a password known from breaches (`NewPasswordRules`).
    - Emails and usernames compare case-insensitively and must be unique: the first of two
      racing registrations wins, the other gets a conflict.
    - New accounts are active, have the `user` role only and an unverified email; nothing in
      the request can choose otherwise.
    - A verification mail is queued in the same transaction that stores the account, unless the
      account's email already counts as verified.
    - What kind of account is opened is the domain factory's choice: `User.register` for
      self-registration; operators create administrators with `User.register_admin` (wired as
      `create_admin`, never reachable over HTTP).
    """

    def __init__(
        self,
        uow: UnitOfWork,
        reader: ReadOnlyUnitOfWork,
        hasher: PasswordHasher,
        clock: Clock,
        passwords: NewPasswordRules,
        mail: AccountMail,
        new_account: NewAccount = User.register,
    ) -> None:
        self._uow, self._reader, self._hasher, self._clock = uow, reader, hasher, clock
        self._passwords, self._mail, self._new_account = passwords, mail, new_account

    async def handle(self, command: RegisterUser) -> User:
        email, username, full_name = self._parsed(command)
        # Before the lookups: a taken email must cost the same time as a new one.
        await self._passwords.check_not_breached(command.password, field_name="password")
        async with self._reader as view:
            if await view.users.by_email(email) is not None:
                raise EmailTakenError
            if await view.users.by_username(username) is not None:
                raise UsernameTakenError
        password_hash = await self._hasher.hash(command.password)
        user = self._new_account(
            email=email, username=username, full_name=full_name, hashed_password=password_hash, now=self._clock.now()
        )
        async with self._uow as uow:
            await uow.users.add(user)
            if not user.email_verified:
                await self._mail.queue_email_verification(uow, user, user.created_at)
            event = AuditEvent.record(
                AuditEventType.USER_REGISTERED,
                user_id=user.id,
                context=command.context,
                now=user.created_at,
                data={"roles": ",".join(sorted(role.value for role in user.roles))},
            )
            await uow.audit.add(event)
            await uow.commit()
        return user

    def _parsed(self, command: RegisterUser) -> tuple[Email, Username, str | None]:
        """The command's values, or every broken input rule at once as a `ValidationFailedError`."""
        errors: list[FieldError] = []
        email = _collect(errors, lambda: Email.parse(command.email))
        username = _collect(errors, lambda: Username.parse(command.username))
        full_name = _collect(errors, lambda: parse_full_name(command.full_name))
        errors.extend(FieldError("password", message) for message in self._passwords.violations(command.password))
        if errors or email is None or username is None:
            raise ValidationFailedError(errors)
        return email, username, full_name
