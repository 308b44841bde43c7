"""BeginMfaPasskey: the options with which a browser answers a login's second step with a passkey."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.passkeys.passkey_ceremonies import PasskeyCeremonies, descriptors
from application.unit_of_work import UnitOfWork
from domain.errors import MfaFailedError
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.passkeys import CeremonyPurpose
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class BeginMfaPasskey:
    mfa_token: str


class BeginMfaPasskeyHandler:
    """Begin the second step of a login with a passkey.

    - The `mfa_token` must still be good for a try (unused, under 5 minutes old, tries left); asking
      for options counts no try. A dead token and an account without passkeys answer alike (401).
    - The options name the account's passkeys (this caller proved the password already) and prefer
      user verification without requiring it: the password was the first factor.
    - The challenge is bound to the `mfa_token` (a new request replaces the previous challenge) and
      to its account, single use, valid 5 minutes.
    """

    def __init__(self, uow: UnitOfWork, ceremonies: PasskeyCeremonies, clock: Clock) -> None:
        self._uow, self._ceremonies, self._clock = uow, ceremonies, clock

    async def handle(self, command: BeginMfaPasskey) -> dict[str, Any]:
        if not is_plausible_token(command.mfa_token):
            raise MfaFailedError
        async with self._uow as uow:
            challenge = await uow.mfa_challenges.get(hash_token(command.mfa_token))
            if challenge is None or not challenge.may_try(self._clock.now()):
                raise MfaFailedError
            passkeys = await uow.passkeys.of_user(challenge.user_id)
        if not passkeys:
            raise MfaFailedError
        options = self._ceremonies.webauthn.authentication_options(
            allow=descriptors(passkeys), user_verification_required=False
        )
        begun = await self._ceremonies.begin(
            self._uow, CeremonyPurpose.SECOND_FACTOR, challenge.user_id, options, handle=command.mfa_token
        )
        return begun.options
