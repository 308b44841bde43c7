"""LogInWithPasskey: a passwordless login, a passkey's assertion for the challenge of BeginPasskeyLogin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.auth.login_sessions import LoginProof, LoginSessions
from application.passkeys.passkey_ceremonies import PasskeyCeremonies
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import AccountDisabledError, EmailNotVerifiedError, PasskeyLoginFailedError
from domain.passkeys import AMR_PASSKEY, CeremonyPurpose
from domain.ports.clock import Clock
from domain.sessions import TokenPair


@dataclass(frozen=True, slots=True, kw_only=True)
class LogInWithPasskey:
    challenge_id: str
    # An `AuthenticationResponseJSON` as the browser made it.
    credential: Any
    device_token: str | None = None
    context: RequestContext = NO_CONTEXT


class LogInWithPasskeyHandler:
    """Log in with a passkey alone.

    - The challenge must be one of BeginPasskeyLogin, unused and under 5 minutes old; the attempt
      uses it up, right or wrong (a replayed assertion is refused).
    - The assertion must name a registered passkey, carry the user handle of that passkey's account,
      verify against its public key with user verification, from an accepted origin and for the RP
      id, and its signature counter must not go backwards (a cloned authenticator): every refusal is
      audited (`passkey.failed`) and answered alike (401).
    - Then, as after a password: a deactivated account is 403, and so is an unverified email when
      verification is required (audited `login.failed`).
    - The session's `amr` is ["hwk", "user", "mfa"]: it counts as a login with a second factor. The
      passkey's new counter and time of use are stored in the session's transaction (of concurrent
      uses of one assertion, at most one gets a session). The answer carries a device token.
    - The lockout of the account's identifiers neither stops nor is reset by a passkey login: it
      guards passwords, which a passkey login does not guess.
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, sessions: LoginSessions, ceremonies: PasskeyCeremonies,
        clock: Clock, require_verified_email: bool = False,
    ) -> None:  # fmt: skip
        self._uow, self._reader, self._sessions, self._ceremonies = uow, reader, sessions, ceremonies
        self._clock, self._require_verified_email = clock, require_verified_email

    async def handle(self, command: LogInWithPasskey) -> TokenPair:
        challenge = await self._ceremonies.take(
            self._uow, command.challenge_id, CeremonyPurpose.LOGIN, PasskeyLoginFailedError
        )
        use = await self._ceremonies.accepted(
            self._uow, self._reader, challenge, command.credential, user_id=None, context=command.context
        )
        async with self._reader as view:
            user = await view.users.get(use.stored.user_id)
            device = await self._sessions.devices.valid(
                view.one_time_tokens, user, command.device_token, self._clock.now()
            )
        if user is None:
            raise PasskeyLoginFailedError
        if not user.is_active:
            await self._sessions.audit_refusal(user.id, "account_disabled", method="passkey", context=command.context)
            raise AccountDisabledError
        if self._require_verified_email and not user.email_verified:
            await self._sessions.audit_refusal(user.id, "email_not_verified", method="passkey", context=command.context)
            raise EmailNotVerifiedError
        proof = LoginProof(
            user=user,
            context=command.context,
            amr=AMR_PASSKEY,
            device_token=command.device_token if device is not None else None,
            passwordless=True,
        )
        return await self._sessions.start(proof, claim=use.record)
