"""ExchangeLoginCode: the end of a social login, the one-time code from the callback for the tokens."""

from __future__ import annotations

from dataclasses import dataclass

from application.auth.login_sessions import LoginProof, LoginResult, LoginSessions
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import AccountDisabledError, EmailNotVerifiedError, LoginCodeInvalidError
from domain.identities import AMR_EXTERNAL
from domain.one_time_tokens import TokenPurpose
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeLoginCode:
    code: str
    device_token: str | None = None
    context: RequestContext = NO_CONTEXT


class ExchangeLoginCodeHandler:
    """Exchange a social login's one-time code.

    - The code must be one the callback issued, under 60 seconds old and unused: it works once (of
      concurrent exchanges of one code, one gets the tokens); otherwise 400.
    - As after a password: a deactivated account is 403, and so is an unverified email when
      verification is required (audited `login.failed`).
    - An account with a second factor gets the MFA step (the code is used up by it); the session
      that step ends has `amr` ["ext", <factor>, "mfa"]. Otherwise the session starts now with
      `amr` ["ext"], audited `login.succeeded` with method `oauth`; the answer carries a device token.
    - The lockout of the account's identifiers neither stops nor is reset by a social login: it
      guards passwords, which it does not guess.
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, sessions: LoginSessions, clock: Clock,
        require_verified_email: bool = False,
    ) -> None:  # fmt: skip
        self._uow, self._reader, self._sessions, self._clock = uow, reader, sessions, clock
        self._require_verified_email = require_verified_email

    async def handle(self, command: ExchangeLoginCode) -> LoginResult:
        if not is_plausible_token(command.code):
            raise LoginCodeInvalidError
        code_hash, now = hash_token(command.code), self._clock.now()
        async with self._reader as view:
            token = await view.one_time_tokens.get(code_hash)
            if token is None or not token.is_usable(TokenPurpose.SOCIAL_LOGIN, now):
                raise LoginCodeInvalidError
            user = await view.users.get(token.user_id)
            device = await self._sessions.devices.valid(view.one_time_tokens, user, command.device_token, now)
        if user is None:
            raise LoginCodeInvalidError
        if not user.is_active:
            await self._sessions.audit_refusal(user.id, "account_disabled", method="oauth", context=command.context)
            raise AccountDisabledError
        if self._require_verified_email and not user.email_verified:
            await self._sessions.audit_refusal(user.id, "email_not_verified", method="oauth", context=command.context)
            raise EmailNotVerifiedError

        async def claim(tx: UnitOfWork) -> bool:
            return await tx.one_time_tokens.use(code_hash, TokenPurpose.SOCIAL_LOGIN, self._clock.now())

        if user.mfa_enabled:
            async with self._uow as uow:
                if not await claim(uow):
                    raise LoginCodeInvalidError
                await uow.commit()
            required = await self._sessions.challenge(user, first_factor=AMR_EXTERNAL[0])
            if required is not None:
                return required
            claim = _claimed
        proof = LoginProof(
            user=user,
            context=command.context,
            amr=AMR_EXTERNAL,
            device_token=command.device_token if device is not None else None,
            social=True,
        )
        return await self._sessions.start(proof, claim=claim)


async def _claimed(tx: UnitOfWork) -> bool:
    """The code was used up already, by the MFA step that found no second factor left."""
    return True
