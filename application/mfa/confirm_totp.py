"""ConfirmTotp: a code from the authenticator turns the pending TOTP secret on."""

from __future__ import annotations

from dataclasses import dataclass

from application.mfa.second_factor_check import SecondFactorCheck
from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import MfaNotEnabledError, TokenInvalidError, WrongCodeError
from domain.ids import UserId
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmTotp:
    user_id: UserId
    code: str
    context: RequestContext = NO_CONTEXT


class ConfirmTotpHandler:
    """Turn TOTP on with a current code of the pending secret; answers the recovery codes.

    - Refused (409) without a pending setup (none, or TOTP already on).
    - A wrong code is 400 and audited (`mfa.failed`); one step of drift either way is accepted.
    - Ten recovery codes are made, shown this once and stored only as keyed hashes.
    - Audited as `mfa.enabled`; from now on a login needs a second step.
    """

    def __init__(self, uow: UnitOfWork, check: SecondFactorCheck, clock: Clock) -> None:
        self._uow, self._check, self._clock = uow, check, clock

    async def handle(self, command: ConfirmTotp) -> list[str]:
        now = self._clock.now()
        codes = self._check.new_recovery_codes()
        async with self._uow as uow:
            user = await uow.users.get(command.user_id)
            if user is None or not user.is_active:
                raise TokenInvalidError
            factor = await uow.second_factors.get(user.id)
            if factor is None or factor.is_active:
                raise MfaNotEnabledError
            step = factor.accepted_step(command.code, now, self._check.totp_codes(factor))
            if step is None:
                event = AuditEvent.record(
                    AuditEventType.MFA_FAILED,
                    user_id=user.id,
                    context=command.context,
                    now=now,
                    data={"purpose": "mfa_confirm", "reason": "wrong_code"},
                )
            else:
                factor.confirm(step, codes.hashes, now)
                await uow.second_factors.save(factor)
                user.set_mfa_enabled(True, now)
                await uow.users.update(user)
                event = AuditEvent.record(
                    AuditEventType.MFA_ENABLED,
                    user_id=user.id,
                    context=command.context,
                    now=now,
                    data={"method": "totp"},
                )
            await uow.audit.add(event)
            await uow.commit()
        if step is None:
            raise WrongCodeError
        return codes.shown
