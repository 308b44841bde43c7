"""BeginPasskeyLogin: the options with which a browser signs in with a passkey, no account named."""

from __future__ import annotations

from dataclasses import dataclass

from application.passkeys.passkey_ceremonies import PasskeyCeremonies, PasskeyOptions
from application.unit_of_work import UnitOfWork
from domain.passkeys import CeremonyPurpose


@dataclass(frozen=True, slots=True, kw_only=True)
class BeginPasskeyLogin:
    pass


class BeginPasskeyLoginHandler:
    """Begin a passwordless login.

    - The options name no account and no credential (the authenticator offers its discoverable
      credentials for the relying party), so they tell nothing about which accounts exist.
    - User verification is required: the passkey alone counts as two factors.
    - The challenge is single use and valid 5 minutes; abandoned ones are purged as new ones come.
    """

    def __init__(self, uow: UnitOfWork, ceremonies: PasskeyCeremonies) -> None:
        self._uow, self._ceremonies = uow, ceremonies

    async def handle(self, command: BeginPasskeyLogin) -> PasskeyOptions:
        options = self._ceremonies.webauthn.authentication_options(allow=[], user_verification_required=True)
        return await self._ceremonies.begin(self._uow, CeremonyPurpose.LOGIN, None, options)
