"""ChangePassword: the caller replaces their password."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.account_mail import AccountMail
from application.account.password_confirmation import PasswordConfirmation
from application.passwords import NewPasswordRules
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import WrongPasswordError
from domain.events import SessionsRevoked
from domain.ids import SessionId, UserId
from domain.one_time_tokens import TokenPurpose
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangePassword:
    user_id: UserId
    session_id: SessionId
    current_password: str
    new_password: str
    context: RequestContext = NO_CONTEXT


class ChangePasswordHandler:
    """Change the caller's password.

    - The current password must be right (checked against the account's lockout, failures
      audited); the new one must satisfy the password policy (common passwords refused) and, once
      the current one is proved, a configured breach check.
    - Every other session of the user is revoked (their access tokens die at once); the calling
      session stays valid. Outstanding password-reset links stop working.
    - The owner is mailed a notice that the password changed.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        reader: ReadOnlyUnitOfWork,
        hasher: PasswordHasher,
        clock: Clock,
        passwords: NewPasswordRules,
        mail: AccountMail,
        confirmation: PasswordConfirmation,
    ) -> None:
        self._uow, self._reader, self._hasher, self._clock = uow, reader, hasher, clock
        self._passwords, self._mail, self._confirmation = passwords, mail, confirmation

    async def handle(self, command: ChangePassword) -> None:
        self._passwords.check(command.new_password, field_name="new_password")
        user = await self._confirmation.confirmed_account(
            self._uow, self._reader, command.user_id, command.current_password,
            purpose="change_password", context=command.context,
        )  # fmt: skip
        await self._passwords.check_not_breached(command.new_password, field_name="new_password")
        password_hash = await self._hasher.hash(command.new_password)
        now = self._clock.now()
        async with self._uow as uow:
            current = await uow.users.get(command.user_id)
            if current is None or current.hashed_password != user.hashed_password:
                # Changed or deleted meanwhile: the checked password is no longer the current one.
                raise WrongPasswordError
            current.change_password(password_hash, now)
            await uow.users.update(current)
            await uow.one_time_tokens.invalidate_for_user(current.id, TokenPurpose.PASSWORD_RESET, now)
            revoked = await uow.sessions.revoke_all_for_user(current.id, now, keep=command.session_id)
            event = AuditEvent.record(
                AuditEventType.PASSWORD_CHANGED,
                user_id=current.id,
                context=command.context,
                now=now,
                data={"sessions_revoked": len(revoked)},
            )
            await uow.audit.add(event)
            uow.record(SessionsRevoked(session_ids=tuple(revoked), occurred_at=now))
            await self._mail.queue_password_changed(uow, current, now)
            await uow.commit()
