"""The check that guards sensitive changes to one's own account: the caller proves its current password.

Such a check is a password guess like a login: it counts against the account's lockout (the key of
its email, as a login by email does) and every failure is audited, so a stolen access token does
not buy unlimited guesses at the password behind it.
"""

from __future__ import annotations

import math

from application.lockout import Lockout
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.audit import AuditData, AuditEvent, AuditEventType, RequestContext
from domain.errors import TokenInvalidError, TooManyAttemptsError, WrongPasswordError
from domain.ids import UserId
from domain.passwords import PASSWORD_HARD_MAX_LENGTH
from domain.ports.clock import Clock
from domain.ports.password_hasher import PasswordHasher
from domain.ports.throttling import LoginAttemptCounter
from domain.throttling import AttemptDecision, LockoutPolicy, login_identifier_key


class PasswordConfirmation:
    """Confirms the caller's current password before a sensitive change (`purpose` names it in the
    audit trail: "change_password", "delete_account", ...).

    - The check is counted against the account's lockout before the password is checked; a locked
      account is refused (429) without checking, and a check that could not run is taken back.
    - A wrong password is audited (`password.check_failed`) and raises `WrongPasswordError`; a
      right one resets the count, as a successful login does.
    """

    def __init__(self, hasher: PasswordHasher, attempts: LoginAttemptCounter, lockout: LockoutPolicy, clock: Clock):
        self._hasher, self._lockout, self._clock = hasher, Lockout(attempts, lockout, clock), clock

    async def confirmed_account(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, user_id: UserId, password: str, *, purpose: str,
        context: RequestContext,
    ) -> User:  # fmt: skip
        """The caller's account, once `password` is proved to be its current password.

        Raises:
            TokenInvalidError: the account no longer exists or is deactivated (the permission rule).
            TooManyAttemptsError: the account's lockout holds.
            WrongPasswordError: the password is not the current one (an over-long one is refused
                before hashing: no account could have it).
        """
        async with reader as view:
            user = await view.users.get(user_id)
        if user is None or not user.is_active:
            raise TokenInvalidError
        key = login_identifier_key(user.email.value)
        decision = await self._count(uow, user, key, purpose, context)
        try:
            right = await self._right(password, user.hashed_password)
        except Exception:
            await self._lockout.release(key)
            raise
        if not right:
            await self._audit(uow, user, purpose, "wrong_password", context, locks=self._lockout.locks(decision))
            raise WrongPasswordError
        await self._lockout.succeed(key)
        return user

    async def _right(self, password: str, password_hash: str | None) -> bool:
        """Whether `password` is the account's; an account without a password (made by a social login)
        has none to confirm with, and costs the same work to refuse."""
        if len(password) > PASSWORD_HARD_MAX_LENGTH:
            return False
        if password_hash is None:
            await self._hasher.verify_dummy(password)
            return False
        return (await self._hasher.verify(password, password_hash)).ok

    async def _count(
        self, uow: UnitOfWork, user: User, key: str, purpose: str, context: RequestContext
    ) -> AttemptDecision | None:
        decision = await self._lockout.count(key)
        if decision is not None and not decision.allowed:
            await self._audit(uow, user, purpose, "locked", context)
            raise TooManyAttemptsError(math.ceil(decision.retry_after.total_seconds()))
        return decision

    async def _audit(
        self, uow: UnitOfWork, user: User, purpose: str, reason: str, context: RequestContext, *, locks: bool = False
    ) -> None:
        """Record a failed check; `locks`: this one starts the account's lockout (`"locked": true`)."""
        now = self._clock.now()
        data: AuditData = {"purpose": purpose, "reason": reason}
        if locks:
            data["locked"] = True
        event = AuditEvent.record(
            AuditEventType.PASSWORD_CHECK_FAILED, user_id=user.id, context=context, now=now, data=data
        )
        async with uow as tx:
            await tx.audit.add(event)
            await tx.commit()
