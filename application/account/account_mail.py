"""Queuing the mails that carry single-use tokens, inside the caller's unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from application.account.mail_templates import MailTemplates
from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.audit import RequestContext
from domain.mail import TOKEN_PLACEHOLDER, MailMessage
from domain.one_time_tokens import AccountTokenPolicy, OneTimeToken, TokenPurpose
from domain.opaque_tokens import hash_token
from domain.ports.secret_generator import SecretGenerator
from domain.ports.token_sealer import TokenSealer


class AccountMail:
    """Creates a single-use token and queues the mail carrying it in the same transaction, so the
    token is stored exactly when its mail will be sent (the transactional outbox).

    Neither place holds a usable token: the token table keeps its hash, and the queued mail keeps
    a placeholder in its text with the token sealed beside it (the key is not in the database);
    delivery puts the token back just before sending, and the body is dropped once sent.
    """

    def __init__(
        self, secrets: SecretGenerator, templates: MailTemplates, policy: AccountTokenPolicy, sealer: TokenSealer
    ) -> None:
        self._secrets, self._templates, self._policy, self._sealer = secrets, templates, policy, sealer

    async def queue_password_reset(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Only the newest link works: a new request invalidates the reset tokens sent before."""
        await uow.one_time_tokens.invalidate_for_user(user.id, TokenPurpose.PASSWORD_RESET, now)
        ttl = self._policy.password_reset_ttl
        token = await self._store_token(uow, user, TokenPurpose.PASSWORD_RESET, now, ttl)
        await uow.outbox.add(self._sealed(self._templates.password_reset(user, TOKEN_PLACEHOLDER, ttl), token), now)

    async def queue_password_changed(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Tell the owner that the password changed, so that a change they did not make shows."""
        await uow.outbox.add(self._templates.password_changed(user, now), now)

    async def queue_new_sign_in(self, uow: UnitOfWork, user: User, context: RequestContext, now: datetime) -> None:
        """Tell the owner that the account was signed in to from a device that had not signed in before."""
        await uow.outbox.add(self._templates.new_sign_in(user, now, context.ip, context.user_agent), now)

    async def queue_registration_attempt(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Tell the owner of an address that someone tried to open an account with it."""
        await uow.outbox.add(self._templates.registration_attempt(user, now), now)

    async def queue_email_verification(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        ttl = self._policy.email_verification_ttl
        token = await self._store_token(uow, user, TokenPurpose.EMAIL_VERIFICATION, now, ttl)
        message = self._templates.email_verification(user, TOKEN_PLACEHOLDER, ttl)
        await uow.outbox.add(self._sealed(message, token), now)

    def _sealed(self, message: MailMessage, token: str) -> MailMessage:
        return replace(message, sealed_token=self._sealer.seal(token))

    async def _store_token(
        self, uow: UnitOfWork, user: User, purpose: TokenPurpose, now: datetime, ttl: timedelta
    ) -> str:
        value = self._secrets.token()
        expires_at = now + ttl
        record = OneTimeToken(
            token_hash=hash_token(value), user_id=user.id, purpose=purpose, created_at=now, expires_at=expires_at
        )
        await uow.one_time_tokens.add(record)
        return value
