"""LogIn: exchange a password for a new session and its token pair."""

from __future__ import annotations

import math
from dataclasses import dataclass

from application.auth.session_tokens import SessionTokens
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.account_values import Email, Username
from domain.accounts import User
from domain.audit import NO_CONTEXT, AuditData, AuditEvent, AuditEventType, RequestContext
from domain.errors import (
    AccountDisabledError,
    EmailNotVerifiedError,
    InvalidCredentialsError,
    TooManyAttemptsError,
    ValidationFailedError,
)
from domain.passwords import PASSWORD_HARD_MAX_LENGTH
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher
from domain.ports.repositories import UserReader
from domain.ports.throttling import LoginAttemptCounter
from domain.sessions import Session, TokenPair
from domain.throttling import AttemptDecision, LockoutPolicy, login_identifier_key


@dataclass(frozen=True, slots=True, kw_only=True)
class LogIn:
    identifier: str
    password: str
    context: RequestContext = NO_CONTEXT


class LogInHandler:
    """Log in with an email or a username and a password.

    - An unknown account and a wrong password fail the same way, after the same hashing work
      (an unknown account costs one verify against a dummy hash).
    - Only after a correct password: a deactivated account is refused, and so is an
      unverified email when verification is required.
    - A successful login starts a new session, stamps `last_login` and stores an upgraded
      password hash when the stored one is outdated.
    - Every attempt is counted against the normalised identifier before the password is checked,
      whether or not the account exists; after the lockout's number of failures in a row the
      identifier is refused (429) until the lockout ends, known and unknown alike. A success
      resets the count.
    - Every outcome is audited (`login.succeeded`, `login.failed`, `login.throttled`); a failure
      on a known account also updates its failure count and lock time, as shown to administrators.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        reader: ReadOnlyUnitOfWork,
        hasher: PasswordHasher,
        tokens: SessionTokens,
        clock: Clock,
        attempts: LoginAttemptCounter,
        lockout: LockoutPolicy,
        require_verified_email: bool = False,
    ) -> None:
        self._uow, self._reader, self._hasher, self._tokens, self._clock = uow, reader, hasher, tokens, clock
        self._attempts, self._lockout = attempts, lockout
        self._require_verified_email = require_verified_email

    async def handle(self, command: LogIn) -> TokenPair:
        key = login_identifier_key(command.identifier)
        decision = await self._count_attempt(key)
        if decision is not None and not decision.allowed:
            await self._audit_failure(command, AuditEventType.LOGIN_THROTTLED, "locked", None)
            raise TooManyAttemptsError(math.ceil(decision.retry_after.total_seconds()))
        attempts = decision.attempts if decision is not None else None
        user, upgraded_hash = await self._verified_user(command, attempts)
        if self._lockout.enabled:
            await self._attempts.succeed(key)
        if not user.is_active:
            await self._audit_failure(command, AuditEventType.LOGIN_FAILED, "account_disabled", None)
            raise AccountDisabledError
        if self._require_verified_email and not user.email_verified:
            await self._audit_failure(command, AuditEventType.LOGIN_FAILED, "email_not_verified", None)
            raise EmailNotVerifiedError
        return await self._start_session(command, user, upgraded_hash)

    async def _verified_user(self, command: LogIn, attempts: int | None) -> tuple[User, str | None]:
        """The account whose password this is and its upgraded hash if any, or an audited
        `InvalidCredentialsError`."""
        if len(command.password) > PASSWORD_HARD_MAX_LENGTH:
            # Refused before hashing: no account could have such a password.
            await self._audit_failure(command, AuditEventType.LOGIN_FAILED, "invalid_credentials", attempts)
            raise InvalidCredentialsError
        async with self._reader as view:
            user = await _find(view.users, command.identifier)
        if user is None:
            await self._hasher.verify_dummy(command.password)
        check = await self._hasher.verify(command.password, user.hashed_password) if user else None
        if user is None or check is None or not check.ok:
            await self._audit_failure(command, AuditEventType.LOGIN_FAILED, "invalid_credentials", attempts)
            raise InvalidCredentialsError
        return user, check.upgraded_hash

    async def _start_session(self, command: LogIn, user: User, upgraded_hash: str | None) -> TokenPair:
        now = self._clock.now()
        context = command.context
        session = Session.start(
            user_id=user.id,
            now=now,
            ttl=min(self._tokens.policy.refresh_ttl, self._tokens.policy.max_lifetime),
            ip=context.ip,
            user_agent=context.user_agent,
        )
        refresh = self._tokens.first_refresh_token(session, now)
        async with self._uow as uow:
            current = await uow.users.get(user.id)
            if current is None:
                raise InvalidCredentialsError
            if not current.is_active:
                # Deactivated while the password was being checked.
                raise AccountDisabledError
            # An upgrade computed from the old password must not overwrite a hash changed meanwhile.
            unchanged = current.hashed_password == user.hashed_password
            current.record_login(now, upgraded_hash if unchanged else None)
            await uow.users.update(current)
            await uow.sessions.add(session)
            await uow.refresh_tokens.add(refresh.record)
            data: AuditData = {"session_id": session.id}
            await uow.audit.add(
                AuditEvent.record(AuditEventType.LOGIN_SUCCEEDED, user_id=user.id, context=context, now=now, data=data)
            )
            await uow.commit()
        return self._tokens.pair(current, session, refresh.value, now)

    async def _count_attempt(self, key: str) -> AttemptDecision | None:
        if not self._lockout.enabled:
            return None
        return await self._attempts.begin(
            key, max_failures=self._lockout.max_failures, lockout=self._lockout.duration, now=self._clock.now()
        )

    async def _audit_failure(self, command: LogIn, type_: AuditEventType, reason: str, attempts: int | None) -> None:
        """Record a refused login; on a known account, also its failure count and lock time."""
        now = self._clock.now()
        data: AuditData = {"reason": reason, "identifier": "email" if "@" in command.identifier else "username"}
        async with self._uow as uow:
            user = await _find(uow.users, command.identifier)
            if user is not None and attempts is not None:
                user.record_failed_login(attempts, self._lockout.locked_until(attempts, now), now)
                await uow.users.update(user)
            event = AuditEvent.record(
                type_, user_id=user.id if user else None, context=command.context, now=now, data=data
            )
            await uow.audit.add(event)
            await uow.commit()


async def _find(users: UserReader, identifier: str) -> User | None:
    try:
        if "@" in identifier:
            return await users.by_email(Email.parse(identifier))
        return await users.by_username(Username.parse(identifier))
    except ValidationFailedError:
        return None
