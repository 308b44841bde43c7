"""RegenerateRecoveryCodes: the caller gets a new set of recovery codes."""

from __future__ import annotations

from dataclasses import dataclass

from application.mfa.step_up import SteppedUpChange, StepUp
from application.unit_of_work import UnitOfWork
from domain.audit import AuditEvent, AuditEventType
from domain.errors import MfaNotEnabledError, WrongCodeError
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class RegenerateRecoveryCodes(SteppedUpChange):
    """Replace the recovery codes."""


class RegenerateRecoveryCodesHandler:
    """Replace the recovery codes, confirmed with the password and a current TOTP code or a recovery code.

    - Password and code are checked against the account's lockout, failures audited; a wrong
      password or code is 400, and 409 when TOTP is not on.
    - Ten new codes, shown this once and stored only as keyed hashes; the old set stops working.
    - Audited as `mfa.recovery_codes_regenerated`.
    """

    def __init__(self, uow: UnitOfWork, step_up: StepUp, clock: Clock) -> None:
        self._uow, self._step_up, self._clock = uow, step_up, clock

    async def handle(self, command: RegenerateRecoveryCodes) -> list[str]:
        context = command.context
        user, proof = await self._step_up.proved(command, purpose="mfa_recovery_codes")
        codes = self._step_up.check.new_recovery_codes()
        async with self._uow as uow:
            if not await self._step_up.check.claim(uow, user.id, proof, context):
                raise WrongCodeError
            factor = await uow.second_factors.get(user.id)
            if factor is None or not factor.is_active:
                raise MfaNotEnabledError
            factor.replace_recovery_codes(codes.hashes)
            await uow.second_factors.save(factor)
            now = self._clock.now()
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.MFA_RECOVERY_CODES_REGENERATED, user_id=user.id, context=context, now=now
                )
            )
            await uow.commit()
        return codes.shown
