"""ConfirmPasswordReset: set a new password with a mailed reset token."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.account_mail import AccountMail
from application.passwords import NewPasswordRules
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import OneTimeTokenInvalidError
from domain.events import LoginAttemptsCleared, all_access_revoked
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmPasswordReset:
    token: str
    new_password: str
    context: RequestContext = NO_CONTEXT


class ConfirmPasswordResetHandler:
    """Set a new password with a reset token.

    - The token is single use: of any number of concurrent confirmations one wins; an unknown,
      malformed, expired or used token is refused the same way.
    - The new password must satisfy the password policy (common passwords refused) and, once the
      token is known to be usable, a configured breach check.
    - Every session of the user is revoked (their access tokens die at once), every other
      outstanding reset token of the user is invalidated, the lockout of the account's email and
      username is cleared, and the email counts as verified (the mail reached its owner).
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
    ) -> None:
        self._uow, self._reader, self._hasher, self._clock = uow, reader, hasher, clock
        self._passwords, self._mail = passwords, mail

    async def handle(self, command: ConfirmPasswordReset) -> None:
        self._passwords.check(command.new_password, field_name="new_password")
        token_hash, token = await self._usable_token(command.token)
        await self._passwords.check_not_breached(command.new_password, field_name="new_password")
        password_hash = await self._hasher.hash(command.new_password)
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(token.user_id)
            if user is None or not await uow.one_time_tokens.use(token_hash, TokenPurpose.PASSWORD_RESET, now):
                raise OneTimeTokenInvalidError
            user.reset_password(password_hash, now)
            await uow.users.update(user)
            await uow.one_time_tokens.invalidate_for_user(user.id, TokenPurpose.PASSWORD_RESET, now)
            revoked = await uow.sessions.revoke_all_for_user(user.id, now)
            event = AuditEvent.record(
                AuditEventType.PASSWORD_RESET,
                user_id=user.id,
                context=command.context,
                now=now,
                data={"sessions_revoked": len(revoked)},
            )
            await uow.audit.add(event)
            uow.record(
                *all_access_revoked(user.id, revoked, now),
                LoginAttemptsCleared(identifiers=user.login_identifiers, occurred_at=now),
            )
            await self._mail.queue_password_changed(uow, user, now)
            await uow.commit()

    async def _usable_token(self, presented: str) -> tuple[str, OneTimeToken]:
        """A cheap look first, so that a bogus token costs no hashing: the token's hash and record.

        Raises:
            OneTimeTokenInvalidError: malformed, unknown, expired, used or of another purpose.
        """
        if not is_plausible_token(presented):
            raise OneTimeTokenInvalidError
        token_hash = hash_token(presented)
        async with self._reader as view:
            token = await view.one_time_tokens.get(token_hash)
        if token is None or not token.is_usable(TokenPurpose.PASSWORD_RESET, self._clock.now()):
            raise OneTimeTokenInvalidError
        return token_hash, token
