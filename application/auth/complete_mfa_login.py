"""CompleteMfaLogin: the second step of a login, a code for the `mfa_token` of the first."""

from __future__ import annotations

from dataclasses import dataclass

from application.auth.login_sessions import LoginProof, LoginSessions
from application.mfa.second_factor_check import SecondFactorCheck
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import MfaFailedError
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.clock import Clock
from domain.second_factor import amr_after
from domain.sessions import TokenPair


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteMfaLogin:
    mfa_token: str
    code: str
    device_token: str | None = None
    context: RequestContext = NO_CONTEXT


class CompleteMfaLoginHandler:
    """Finish a login with a second factor: the `mfa_token` of the first step and a code.

    - The code is a current TOTP code (one step of drift either way; a code already accepted is
      refused, even within its 30 seconds) or an unused recovery code (then used up).
    - The `mfa_token` is single use, valid 5 minutes, and dies after 5 codes; each code is counted on
      it before it is checked, so concurrent guesses cannot get more tries.
    - Each code also counts against the account's lockout (429 once it holds); a wrong one is audited
      (`mfa.failed`). Wrong code and dead token answer alike (401).
    - The token, the code and the session's start are used in one transaction: of concurrent
      requests with one valid code and one token, at most one gets a token pair.
    - The session remembers how the login authenticated: `amr` ["pwd", "otp", "mfa"] after a TOTP
      code, ["pwd", "mfa"] after a recovery code. The answer carries a device token, as a login does.
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, sessions: LoginSessions, check: SecondFactorCheck,
        clock: Clock,
    ) -> None:  # fmt: skip
        self._uow, self._reader, self._sessions, self._check, self._clock = uow, reader, sessions, check, clock

    async def handle(self, command: CompleteMfaLogin) -> TokenPair:
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
            amr=amr_after(proof.method),
            device_token=command.device_token if device is not None else None,
            method=proof.method,
        )
        return await self._sessions.start(login, claim=claim)
