"""RegisterPasskey: store the passkey a browser created with the options of BeginPasskeyRegistration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.mfa.mfa_flag import refresh_mfa_flag
from application.passkeys.passkey_ceremonies import PasskeyCeremonies
from application.unit_of_work import UnitOfWork
from domain.audit import NO_CONTEXT, AuditEvent, AuditEventType, RequestContext
from domain.errors import PasskeyRefusedError, TokenInvalidError, TooManyPasskeysError
from domain.ids import UserId
from domain.passkeys import MAX_PASSKEYS_PER_USER, CeremonyPurpose, Passkey, new_passkey_id, passkey_name
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterPasskey:
    user_id: UserId
    challenge_id: str
    # A `RegistrationResponseJSON` as the browser made it.
    credential: Any
    name: str | None = None
    context: RequestContext = NO_CONTEXT


class RegisterPasskeyHandler:
    """Add the passkey created for the caller's challenge.

    - The name is trimmed (at most 64 characters, no control characters; `Passkey` when empty).
    - The challenge must be the caller's, unused and under 5 minutes old; it is used up by the
      attempt, right or wrong.
    - The response must verify: the challenge, an accepted origin, the RP id, user presence and
      user verification, a supported algorithm; a credential registered before (to any account) is
      refused. Any refusal is 400.
    - The account's logins take a second step from now on (`mfa_enabled`); audited as
      `passkey.registered`.
    """

    def __init__(self, uow: UnitOfWork, ceremonies: PasskeyCeremonies, clock: Clock) -> None:
        self._uow, self._ceremonies, self._clock = uow, ceremonies, clock

    async def handle(self, command: RegisterPasskey) -> Passkey:
        name = passkey_name(command.name)
        challenge = await self._ceremonies.take(
            self._uow, command.challenge_id, CeremonyPurpose.REGISTRATION, PasskeyRefusedError
        )
        if challenge.user_id != command.user_id:
            raise PasskeyRefusedError
        created = self._ceremonies.webauthn.verify_registration(command.credential, challenge=challenge.challenge)
        now = self._clock.now()
        passkey = Passkey(
            id=new_passkey_id(),
            user_id=command.user_id,
            credential_id=created.credential_id,
            public_key=created.public_key,
            sign_count=created.sign_count,
            transports=created.transports,
            backup_eligible=created.backup_eligible,
            backed_up=created.backed_up,
            name=name,
            created_at=now,
        )
        async with self._uow as uow:
            user = await uow.users.get(command.user_id)
            if user is None or not user.is_active:
                raise TokenInvalidError
            if await uow.passkeys.count(user.id) >= MAX_PASSKEYS_PER_USER:
                raise TooManyPasskeysError
            if not await uow.passkeys.add(passkey):
                raise PasskeyRefusedError
            await refresh_mfa_flag(uow, user, now)
            await uow.users.update(user)
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.PASSKEY_REGISTERED,
                    user_id=user.id,
                    context=command.context,
                    now=now,
                    data={"passkey_id": passkey.id, "synced": passkey.backup_eligible},
                )
            )
            await uow.commit()
        return passkey
