"""SetUpTotp: a new TOTP secret for the caller's account, pending until confirmed."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.password_confirmation import PasswordConfirmation
from application.mfa.second_factor_check import SecondFactorCheck
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import MfaAlreadyEnabledError
from domain.ids import UserId
from domain.ports.clock import Clock
from domain.ports.second_factor import QrRenderer
from domain.second_factor import SecondFactor


@dataclass(frozen=True, slots=True, kw_only=True)
class SetUpTotp:
    user_id: UserId
    password: str
    context: RequestContext = NO_CONTEXT


@dataclass(frozen=True, slots=True, kw_only=True)
class TotpSetup:
    """What an authenticator app needs: the base32 secret, its otpauth URI and that URI as a QR code."""

    secret: str
    otpauth_uri: str
    qr_svg: str


class SetUpTotpHandler:
    """Begin TOTP on the caller's account, confirmed with its password.

    - The password is checked against the account's lockout, failures audited (400 when wrong).
    - Refused (409) while TOTP is on; a new setup replaces a pending one.
    - The secret (160 bits) is stored only sealed; nothing is active until confirmed with a code.
    - The URI names the issuer and the account's email (RFC 6238: SHA-1, 6 digits, 30 s).
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, confirmation: PasswordConfirmation,
        check: SecondFactorCheck, qr: QrRenderer, clock: Clock, issuer: str = "Bastion",
    ) -> None:  # fmt: skip
        self._uow, self._reader, self._confirmation, self._check = uow, reader, confirmation, check
        self._qr, self._clock, self._issuer = qr, clock, issuer

    async def handle(self, command: SetUpTotp) -> TotpSetup:
        async with self._reader as view:
            stored = await view.second_factors.get(command.user_id)
        if stored is not None and stored.is_active:
            raise MfaAlreadyEnabledError
        user = await self._confirmation.confirmed_account(
            self._uow, self._reader, command.user_id, command.password, purpose="mfa_setup", context=command.context
        )
        totp = self._check.totp
        secret = totp.new_secret()
        factor = SecondFactor.begin(
            user_id=user.id, sealed_secret=self._check.sealer.seal(secret), now=self._clock.now()
        )
        async with self._uow as uow:
            stored = await uow.second_factors.get(user.id)
            if stored is not None and stored.is_active:
                raise MfaAlreadyEnabledError
            await uow.second_factors.save(factor)
            await uow.commit()
        uri = totp.provisioning_uri(secret, account=user.email.value, issuer=self._issuer)
        return TotpSetup(secret=secret, otpauth_uri=uri, qr_svg=self._qr.svg(uri))
