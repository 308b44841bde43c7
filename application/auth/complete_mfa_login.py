"""CompleteMfaLogin: the second step of a login, a code or a passkey for the `mfa_token` of the first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.auth.login_sessions import LoginProof, LoginSessions
from application.mfa.second_factor_check import SecondFactorCheck
from application.passkeys.passkey_ceremonies import PasskeyCeremonies
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import FieldError, MfaFailedError, PasskeyLoginFailedError, ValidationFailedError
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.passkeys import CeremonyPurpose
from domain.ports.clock import Clock
from domain.second_factor import SecondFactorMethod, amr_after
from domain.sessions import TokenPair


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteMfaLogin:
    mfa_token: str
    # A TOTP or recovery code, or else a passkey's `AuthenticationResponseJSON`.
    code: str | None = None
    credential: Any = None
    device_token: str | None = None
    context: RequestContext = NO_CONTEXT


class CompleteMfaLoginHandler:
    """Finish a login with a second factor: the `mfa_token` of the first step and a code, or a
    passkey's assertion for the challenge of BeginMfaPasskey.

    - Either a code or a passkey's credential, not both (422).
    - The code is a current TOTP code (one step of drift either way; a code already accepted is
      refused, even within its 30 seconds) or an unused recovery code (then used up).
    - The `mfa_token` is single use, valid 5 minutes, and dies after 5 codes; each code is counted on
      it before it is checked, so concurrent guesses cannot get more tries.
    - Each code also counts against the account's lockout (429 once it holds); a wrong one is audited
      (`mfa.failed`). Wrong code and dead token answer alike (401).
    - The token, the code and the session's start are used in one transaction: of concurrent
      requests with one valid code and one token, at most one gets a token pair.
    - A passkey's assertion must answer the challenge of the token (single use, used up by the
      attempt), name one of the account's passkeys, verify (origin, RP id, signature, a counter that
      did not go backwards); a refusal is audited (`passkey.failed`) and answered as a wrong code.
      Each assertion counts as a try on the token; the account's lockout, which guards guessable
      codes, does not count it.
    - The session remembers how the login authenticated: `amr` ["pwd", "otp", "mfa"] after a TOTP
      code, ["pwd", "mfa"] after a recovery code, ["pwd", "hwk", "mfa"] after a passkey; "ext" instead
      of "pwd" when the first step was a social login. The answer
      carries a device token, as a login does.
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, sessions: LoginSessions, check: SecondFactorCheck,
        ceremonies: PasskeyCeremonies, clock: Clock,
    ) -> None:  # fmt: skip
        self._uow, self._reader, self._sessions, self._check = uow, reader, sessions, check
        self._ceremonies, self._clock = ceremonies, clock

    async def handle(self, command: CompleteMfaLogin) -> TokenPair:
        if (command.code is None) == (command.credential is None):
            raise ValidationFailedError([FieldError("code", "Give either a code or a passkey's credential.")])
        if not is_plausible_token(command.mfa_token):
            raise MfaFailedError
        token_hash = hash_token(command.mfa_token)
        async with self._uow as uow:
            challenge = await uow.mfa_challenges.try_once(token_hash, self._clock.now())
            await uow.commit()
        if challenge is None:
            raise MfaFailedError
        async with self._reader as view:
            user = await view.users.get(challenge.user_id)
            factor = await view.second_factors.get(challenge.user_id)
            device = await self._sessions.devices.valid(
                view.one_time_tokens, user, command.device_token, self._clock.now()
            )
        if user is None:
            raise MfaFailedError
        device_token = command.device_token if device is not None else None
        first_factor = challenge.first_factor
        if command.code is None:
            return await self._with_passkey(user, token_hash, command, device_token, first_factor)
        context = command.context
        found = await self._check.checked(self._uow, user, factor, command.code, purpose="login", context=context)
        if found is None:
            raise MfaFailedError
        proof, user_id = found, user.id

        async def claim(tx: UnitOfWork) -> bool:
            # The token first: of concurrent requests for one token, only one goes on to use the code.
            used = await tx.mfa_challenges.use(token_hash, self._clock.now())
            return used and await self._check.claim(tx, user_id, proof, context)

        login = LoginProof(
            user=user,
            context=context,
            amr=amr_after(proof.method, first_factor),
            device_token=device_token,
            method=proof.method,
        )
        return await self._sessions.start(login, claim=claim)

    async def _with_passkey(
        self, user: User, token_hash: str, command: CompleteMfaLogin, device_token: str | None, first_factor: str
    ) -> TokenPair:
        challenge = await self._ceremonies.take(
            self._uow, command.mfa_token, CeremonyPurpose.SECOND_FACTOR, MfaFailedError
        )
        if challenge.user_id != user.id:
            raise MfaFailedError
        try:
            use = await self._ceremonies.accepted(
                self._uow, self._reader, challenge, command.credential, user_id=user.id, context=command.context
            )
        except PasskeyLoginFailedError:
            raise MfaFailedError from None
        await self._check.reset_lockout(user)

        async def claim(tx: UnitOfWork) -> bool:
            used = await tx.mfa_challenges.use(token_hash, self._clock.now())
            return used and await use.record(tx)

        login = LoginProof(
            user=user,
            context=command.context,
            amr=amr_after(SecondFactorMethod.WEBAUTHN, first_factor),
            device_token=device_token,
            method=SecondFactorMethod.WEBAUTHN,
        )
        return await self._sessions.start(login, claim=claim)
