"""LogIn: exchange a password for a new session and its token pair (or, on an account with a second
factor, for the MFA step that leads to them)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from application.auth.login_sessions import LoginProof, LoginResult, LoginSessions
from application.lockout import Lockout
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
from domain.one_time_tokens import OneTimeToken
from domain.passwords import PASSWORD_HARD_MAX_LENGTH, PasswordCheck
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher
from domain.ports.repositories import UserReader
from domain.ports.throttling import LoginAttemptCounter
from domain.second_factor import AMR_PASSWORD
from domain.throttling import AttemptDecision, LockoutPolicy, device_attempt_key, login_identifier_key


@dataclass(frozen=True, slots=True, kw_only=True)
class LogIn:
    identifier: str
    password: str
    device_token: str | None = None
    context: RequestContext = NO_CONTEXT


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What a login attempt is judged by: the account (if the identifier names one), the device
    token presented for that account (if valid), and the key its failures are counted under."""

    user: User | None
    device: OneTimeToken | None
    key: str


class LogInHandler:
    """Log in with an email or a username and a password.

    - An unknown account and a wrong password fail the same way, after the same hashing work
      (an unknown account costs one verify against a dummy hash).
    - Only after a correct password: a deactivated account is refused, and so is an
      unverified email when verification is required.
    - A successful login starts a new session, stamps `last_login`, stores an upgraded password
      hash when the stored one is outdated, and returns a device token (a new one, or the valid
      one presented).
    - On an account with a second factor, a right password (and only a right one) answers with an
      MFA challenge instead: an opaque `mfa_token` for `POST /auth/login/mfa`, single use, valid 5
      minutes, dead after 5 codes. The earlier failures of the identifier stay counted until then.
    - Every attempt is counted before the password is checked, whether or not the account exists:
      against the device token when a valid one of that account is presented, otherwise against
      the normalised identifier. After the lockout's number of failures in a row that key is
      refused (429) until the lockout ends, known and unknown identifiers alike; a success resets
      it. An attempt whose password could not be checked (a dependency did not answer) is taken
      back: only a checked wrong password counts.
    - A success without a valid device token, on an account that has logged in before, mails the
      owner a "new sign-in" notice (when switched on).
    - Every outcome is audited (`login.succeeded`, `login.failed`, `login.throttled`); a failure
      counted against a known account's identifier also updates its failure count and lock time,
      as shown to administrators.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        reader: ReadOnlyUnitOfWork,
        hasher: PasswordHasher,
        sessions: LoginSessions,
        clock: Clock,
        attempts: LoginAttemptCounter,
        lockout: LockoutPolicy,
        require_verified_email: bool = False,
    ) -> None:
        self._uow, self._reader, self._hasher, self._sessions, self._clock = uow, reader, hasher, sessions, clock
        self._lockout = Lockout(attempts, lockout, clock)
        self._require_verified_email = require_verified_email

    async def handle(self, command: LogIn) -> LoginResult:
        attempt = await self._judged_by(command)
        decision = await self._lockout.count(attempt.key)
        if decision is not None and not decision.allowed:
            await self._audit_failure(command, AuditEventType.LOGIN_THROTTLED, "locked", None)
            raise TooManyAttemptsError(math.ceil(decision.retry_after.total_seconds()))
        upgraded_hash = await self._check_password(command, attempt, decision)
        user = attempt.user
        assert user is not None  # the password was checked against this account
        if user.mfa_enabled:
            # A right password is no failure, but the login is not over: the earlier failures stay
            # until the second step succeeds (or a code guessed after each right password would
            # never lock anything).
            await self._lockout.release(attempt.key)
        else:
            await self._lockout.succeed(attempt.key)
        if not user.is_active:
            await self._audit_failure(command, AuditEventType.LOGIN_FAILED, "account_disabled", None)
            raise AccountDisabledError
        if self._require_verified_email and not user.email_verified:
            await self._audit_failure(command, AuditEventType.LOGIN_FAILED, "email_not_verified", None)
            raise EmailNotVerifiedError
        if user.mfa_enabled:
            required = await self._sessions.challenge(user)
            if required is not None:
                return required
        device_token = command.device_token if attempt.device is not None else None
        proof = LoginProof(
            user=user, context=command.context, amr=AMR_PASSWORD, upgraded_hash=upgraded_hash, device_token=device_token
        )
        return await self._sessions.start(proof)

    async def _judged_by(self, command: LogIn) -> _Attempt:
        async with self._reader as view:
            user = await _find(view.users, command.identifier)
            device = await self._sessions.devices.valid(
                view.one_time_tokens, user, command.device_token, self._clock.now()
            )
        if device is not None:
            return _Attempt(user, device, device_attempt_key(device.token_hash))
        return _Attempt(user, None, login_identifier_key(command.identifier))

    async def _check_password(self, command: LogIn, attempt: _Attempt, decision: AttemptDecision | None) -> str | None:
        """The upgraded hash if any, once the password is proved right; or an audited
        `InvalidCredentialsError`. An attempt whose check could not run is released."""
        try:
            check = await self._verify(command.password, attempt.user)
        except Exception:
            await self._lockout.release(attempt.key)
            raise
        if check is None or not check.ok:
            counted_on_account = decision.attempts if decision is not None and attempt.device is None else None
            await self._audit_failure(
                command,
                AuditEventType.LOGIN_FAILED,
                "invalid_credentials",
                counted_on_account,
                locks=self._lockout.locks(decision),
            )
            raise InvalidCredentialsError
        return check.upgraded_hash

    async def _verify(self, password: str, user: User | None) -> PasswordCheck | None:
        if len(password) > PASSWORD_HARD_MAX_LENGTH:
            # Refused before hashing: no account could have such a password.
            return None
        if user is None or user.hashed_password is None:
            # No account, or one without a password (made by a social login): the same work, refused.
            await self._hasher.verify_dummy(password)
            return None
        return await self._hasher.verify(password, user.hashed_password)

    async def _audit_failure(
        self, command: LogIn, type_: AuditEventType, reason: str, attempts: int | None, *, locks: bool = False
    ) -> None:
        """Record a refused login; when counted against a known account's identifier, also its
        failure count and lock time. `locks`: this failure starts a lockout (`"locked": true`)."""
        now = self._clock.now()
        data: AuditData = {"reason": reason, "identifier": "email" if "@" in command.identifier else "username"}
        if locks:
            data["locked"] = True
        async with self._uow as uow:
            user = await _find(uow.users, command.identifier)
            if user is not None and attempts is not None:
                user.record_failed_login(attempts, self._lockout.policy.locked_until(attempts, now), now)
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
