"""ResetMfa: an administrator turns every second factor of an account off."""

from __future__ import annotations

from dataclasses import dataclass

from application.admin.user_action import UserAction, target_of
from application.mfa.mfa_flag import refresh_mfa_flag
from application.unit_of_work import UnitOfWork
from domain.audit import AuditData, AuditEvent, AuditEventType
from domain.events import all_access_revoked
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class ResetMfa(UserAction):
    """Turn off the second factors of the account `user_id`."""


class ResetMfaHandler:
    """Turn off the TOTP of an account (with its recovery codes) and end its sessions; its passkeys
    stay (logins keep a second step while it has one).

    - Needs the `users:manage` permission.
    - For an owner who lost the authenticator and the recovery codes: the next login takes one step.
    - Every session of the account is revoked; all its access tokens die at once.
    - Audited as `mfa.reset_by_admin`, also when the account had no second factor.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: ResetMfa) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            user = await target_of(uow, command)
            had_factor = await uow.second_factors.delete(user.id)
            # Passkeys stay: they are phishing-resistant, and the owner may still hold them.
            await refresh_mfa_flag(uow, user, now)
            await uow.users.update(user)
            revoked = await uow.sessions.revoke_all_for_user(user.id, now)
            data: AuditData = {"actor_id": command.actor_id, "had_factor": had_factor, "sessions_revoked": len(revoked)}
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.MFA_RESET_BY_ADMIN, user_id=user.id, context=command.context, now=now, data=data
                )
            )
            uow.record(*all_access_revoked(user.id, revoked, now))
            await uow.commit()
