"""BeginPasskeyRegistration: the options with which a browser creates a passkey for the caller."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.password_confirmation import PasswordConfirmation
from application.passkeys.passkey_ceremonies import PasskeyCeremonies, PasskeyOptions, descriptors
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import TooManyPasskeysError
from domain.ids import UserId
from domain.passkeys import MAX_PASSKEYS_PER_USER, CeremonyPurpose, user_handle


@dataclass(frozen=True, slots=True, kw_only=True)
class BeginPasskeyRegistration:
    user_id: UserId
    password: str
    context: RequestContext = NO_CONTEXT


class BeginPasskeyRegistrationHandler:
    """Begin adding a passkey to the caller's account, confirmed with its password.

    - The password is checked against the account's lockout, failures audited (400 when wrong).
    - An account with the most passkeys allowed (20) is refused (409).
    - The options ask for a discoverable credential (resident key preferred) with user verification,
      exclude the account's passkeys, and carry the account's user handle (16 random-looking bytes
      of its id, no personal data) with its email as the name.
    - The challenge is bound to the account, single use, valid 5 minutes.
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, confirmation: PasswordConfirmation,
        ceremonies: PasskeyCeremonies,
    ) -> None:  # fmt: skip
        self._uow, self._reader, self._confirmation, self._ceremonies = uow, reader, confirmation, ceremonies

    async def handle(self, command: BeginPasskeyRegistration) -> PasskeyOptions:
        user = await self._confirmation.confirmed_account(
            self._uow, self._reader, command.user_id, command.password, purpose="passkey_register",
            context=command.context,
        )  # fmt: skip
        async with self._reader as view:
            passkeys = await view.passkeys.of_user(user.id)
        if len(passkeys) >= MAX_PASSKEYS_PER_USER:
            raise TooManyPasskeysError
        options = self._ceremonies.webauthn.registration_options(
            user_handle=user_handle(user.id),
            user_name=user.email.value,
            display_name=user.full_name or user.username.value,
            exclude=descriptors(passkeys),
        )
        return await self._ceremonies.begin(self._uow, CeremonyPurpose.REGISTRATION, user.id, options)
