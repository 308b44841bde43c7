"""SecondFactorCheck: judging a code against an account's second factor, with the lockout and the audit
trail that every code check goes through."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from application.lockout import Lockout
from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.audit import AuditData, AuditEvent, AuditEventType, RequestContext
from domain.errors import TooManyAttemptsError
from domain.ids import UserId
from domain.ports.clock import Clock
from domain.ports.second_factor import RecoveryCodeHasher, TotpAlgorithm
from domain.ports.throttling import LoginAttemptCounter
from domain.ports.token_sealer import TokenSealer
from domain.second_factor import (
    SecondFactor,
    SecondFactorMethod,
    method_of_code,
    new_recovery_codes,
    recovery_code_shape,
)
from domain.throttling import LockoutPolicy, login_identifier_key


@dataclass(frozen=True, slots=True)
class Proof:
    """A right code: a TOTP code of `step`, or the unused recovery code of `code_hash`. It counts
    only once claimed (`SecondFactorCheck.claim`), in the transaction of what it allows."""

    method: SecondFactorMethod
    step: int = 0
    code_hash: str = ""


@dataclass(frozen=True, slots=True)
class NewRecoveryCodes:
    """A set of recovery codes: as shown to the user once, and as stored."""

    shown: list[str]
    hashes: list[str]


class SecondFactorCheck:
    """Judges second-factor codes for the use cases.

    - A code is a TOTP code (one step of drift either way, never one of a step already accepted) or
      an unused recovery code; the TOTP secret is unsealed only in memory, for the check.
    - Every check is counted against the account's lockout (the key of its email, as a password check
      outside login is) before it runs; a locked account is refused (429) without checking. A wrong
      code stays counted and is audited (`mfa.failed`); a right one at the end of a login resets the
      account's counts.
    """

    def __init__(
        self,
        totp: TotpAlgorithm,
        sealer: TokenSealer,
        code_hasher: RecoveryCodeHasher,
        attempts: LoginAttemptCounter,
        lockout: LockoutPolicy,
        clock: Clock,
    ) -> None:
        self.totp, self.sealer, self._code_hasher = totp, sealer, code_hasher
        self._lockout, self._clock = Lockout(attempts, lockout, clock), clock

    def new_recovery_codes(self) -> NewRecoveryCodes:
        shown = new_recovery_codes()
        # Stored in the canonical form that `proof` hashes what it is given in.
        return NewRecoveryCodes(shown, [self._code_hasher.hash(code.replace("-", "")) for code in shown])

    def totp_codes(self, factor: SecondFactor) -> Callable[[int], str]:
        """The code of each time step for the factor's secret."""
        secret = self.sealer.unseal(factor.sealed_secret)
        return lambda step: self.totp.code_at(secret, step)

    def proof(self, factor: SecondFactor | None, code: str, now: datetime) -> Proof | None:
        """What `code` proves against the active `factor`, or None (wrong, used, or no active factor)."""
        if factor is None or not factor.is_active:
            return None
        step = factor.accepted_step(code, now, self.totp_codes(factor))
        if step is not None:
            return Proof(SecondFactorMethod.TOTP, step=step)
        shaped = recovery_code_shape(code)
        if shaped is not None:
            code_hash = self._code_hasher.hash(shaped)
            if factor.unused_recovery_code(code_hash) is not None:
                return Proof(SecondFactorMethod.RECOVERY_CODE, code_hash=code_hash)
        return None

    async def checked(
        self, uow: UnitOfWork, user: User, factor: SecondFactor | None, code: str, *, purpose: str,
        context: RequestContext, reset_on_success: bool = True,
    ) -> Proof | None:  # fmt: skip
        """What `code` proves, counted against the account's lockout; a wrong code is audited. A right
        one resets the counts of the account's identifiers when `reset_on_success` (the end of a
        login), and otherwise stays counted like a right password whose change is still to come.

        Raises:
            TooManyAttemptsError: the account's lockout holds (the code is not checked).
        """
        key = login_identifier_key(user.email.value)
        decision = await self._lockout.count(key)
        if decision is not None and not decision.allowed:
            await self._audit_failure(uow, user, purpose, "locked", code, context)
            raise TooManyAttemptsError(math.ceil(decision.retry_after.total_seconds()))
        found = self.proof(factor, code, self._clock.now())
        if found is None:
            locks = self._lockout.locks(decision)
            await self._audit_failure(uow, user, purpose, "wrong_code", code, context, locks=locks)
            return None
        if reset_on_success:
            await self.reset_lockout(user)
        return found

    async def reset_lockout(self, user: User) -> None:
        """Clear the failure counts of the account's identifiers: a login's second step succeeded."""
        for identifier in user.login_identifiers:
            await self._lockout.succeed(login_identifier_key(identifier))

    async def claim(self, uow: UnitOfWork, user_id: UserId, proof: Proof, context: RequestContext) -> bool:
        """Use the proof up in `uow`'s transaction: record the TOTP step (so its code never works
        again), or mark the recovery code used and audit it. False when a concurrent request used
        it first."""
        now = self._clock.now()
        if proof.method is SecondFactorMethod.TOTP:
            return await uow.second_factors.advance_step(user_id, proof.step)
        if not await uow.second_factors.use_recovery_code(user_id, proof.code_hash, now):
            return False
        factor = await uow.second_factors.get(user_id)
        data: AuditData = {"recovery_codes_left": factor.recovery_codes_left if factor is not None else 0}
        await uow.audit.add(
            AuditEvent.record(
                AuditEventType.MFA_RECOVERY_CODE_USED, user_id=user_id, context=context, now=now, data=data
            )
        )
        return True

    async def _audit_failure(
        self, uow: UnitOfWork, user: User, purpose: str, reason: str, code: str, context: RequestContext, *,
        locks: bool = False,
    ) -> None:  # fmt: skip
        """Record a refused code: what it was for, why, and which method it looked like (never the code)."""
        data: AuditData = {"purpose": purpose, "reason": reason, "method": method_of_code(code).value}
        if locks:
            data["locked"] = True
        event = AuditEvent.record(
            AuditEventType.MFA_FAILED, user_id=user.id, context=context, now=self._clock.now(), data=data
        )
        async with uow as tx:
            await tx.audit.add(event)
            await tx.commit()
