"""DisableTotp: the caller turns TOTP off."""

from __future__ import annotations

from dataclasses import dataclass

from application.mfa.mfa_flag import refresh_mfa_flag
from application.mfa.step_up import SteppedUpChange, StepUp
from application.unit_of_work import UnitOfWork
from domain.audit import AuditEvent, AuditEventType
from domain.errors import TokenInvalidError, WrongCodeError
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class DisableTotp(SteppedUpChange):
    """Turn TOTP off."""


class DisableTotpHandler:
    """Turn TOTP off, confirmed with the password and a current TOTP code or a recovery code.

    - Password and code are checked against the account's lockout, failures audited; a wrong
      password or code is 400, and 409 when TOTP is not on.
    - The secret and the recovery codes are deleted; logins take one step again.
    - Audited as `mfa.disabled`.
    """

    def __init__(self, uow: UnitOfWork, step_up: StepUp, clock: Clock) -> None:
        self._uow, self._step_up, self._clock = uow, step_up, clock

    async def handle(self, command: DisableTotp) -> None:
        context = command.context
        user, proof = await self._step_up.proved(command, purpose="mfa_disable")
        async with self._uow as uow:
            if not await self._step_up.check.claim(uow, user.id, proof, context):
                raise WrongCodeError
            current = await uow.users.get(user.id)
            if current is None:
                raise TokenInvalidError
            now = self._clock.now()
            await uow.second_factors.delete(user.id)
            await refresh_mfa_flag(uow, current, now)
            await uow.users.update(current)
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.MFA_DISABLED, user_id=user.id, context=context, now=now, data={"by": "self"}
                )
            )
            await uow.commit()
