"""Device tokens: what a browser or device that logged in to an account before presents at its next login."""

from __future__ import annotations

from datetime import datetime

from application.account.account_mail import AccountMail
from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.audit import RequestContext
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.repositories import OneTimeTokenReader
from domain.ports.secret_generator import SecretGenerator
from domain.throttling import LockoutPolicy


class DeviceTokens:
    """Issues and recognises device tokens (256 random bits, stored only as a SHA-256 hash, bound to
    one account, valid for the lockout policy's `device_token_ttl`).

    A login that presents a valid device token of the account is counted apart from the identifier's
    other logins, so a stranger locking the identifier cannot lock out the owner's known devices.
    A login without one, on an account that has logged in before, mails the owner a "new sign-in"
    notice when `notify_new_devices` is on.
    """

    def __init__(
        self, secrets: SecretGenerator, mail: AccountMail, policy: LockoutPolicy, *, notify_new_devices: bool
    ) -> None:
        self._secrets, self._mail, self._policy = secrets, mail, policy
        self._notify_new_devices = notify_new_devices

    async def valid(
        self, tokens: OneTimeTokenReader, user: User | None, presented: str | None, now: datetime
    ) -> OneTimeToken | None:
        """The stored device token presented, if it is unexpired and was issued to `user`; None for
        anything else (a token of another account counts for nothing)."""
        if user is None or presented is None or not is_plausible_token(presented):
            return None
        record = await tokens.get(hash_token(presented))
        if record is None or record.user_id != user.id or not record.is_usable(TokenPurpose.DEVICE, now):
            return None
        return record

    async def issue(self, uow: UnitOfWork, user: User, context: RequestContext, now: datetime) -> str:
        """A new device token for `user`, stored in the caller's transaction; and, when the account has
        logged in before (call before stamping this login), the "new sign-in" notice."""
        value = self._secrets.token()
        record = OneTimeToken(
            token_hash=hash_token(value),
            user_id=user.id,
            purpose=TokenPurpose.DEVICE,
            created_at=now,
            expires_at=now + self._policy.device_token_ttl,
        )
        await uow.one_time_tokens.add(record)
        if self._notify_new_devices and user.last_login is not None:
            await self._mail.queue_new_sign_in(uow, user, context, now)
        return value
