"""LoginSessions: the end of a login (a new session with its token pair), and the MFA step between the
password and that end when the account has a second factor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from application.auth.device_tokens import DeviceTokens
from application.auth.session_tokens import SessionTokens
from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.audit import AuditData, AuditEvent, AuditEventType, RequestContext
from domain.errors import (
    AccountDisabledError,
    DomainError,
    InvalidCredentialsError,
    LoginCodeInvalidError,
    MfaFailedError,
    PasskeyLoginFailedError,
)
from domain.ids import UserId
from domain.opaque_tokens import hash_token
from domain.ports.clock import Clock
from domain.ports.secret_generator import SecretGenerator
from domain.second_factor import MfaChallenge, SecondFactorMethod, login_methods
from domain.sessions import Session, TokenPair


@dataclass(frozen=True, slots=True)
class MfaRequired:
    """The answer to a right password on an account with a second factor: the opaque token that the
    second step must present with a code, and the methods it may use."""

    mfa_token: str
    methods: tuple[SecondFactorMethod, ...]


LoginResult = TokenPair | MfaRequired


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginProof:
    """What a login proved before its session starts."""

    user: User
    context: RequestContext
    amr: tuple[str, ...]
    upgraded_hash: str | None = None
    # The device token presented, when it is a valid one of this account (it is kept, not replaced).
    device_token: str | None = None
    # The second factor of the MFA step, if the login took one.
    method: SecondFactorMethod | None = None
    # A login with a passkey alone (no password).
    passwordless: bool = False
    # A social login's code exchange (the provider vouched for the account).
    social: bool = False


class LoginSessions:
    """Starts the sessions of logins, and the MFA challenges of logins that need a second step.

    - A session starts only if the account still exists and is active when it is stored.
    - It stamps `last_login`, stores an upgraded password hash unless the hash changed meanwhile,
      remembers how the login authenticated (`amr`, kept by every refresh), audits
      `login.succeeded`, and returns a device token (the valid one presented, or a new one).
    - An MFA challenge's token carries 256 random bits and is stored only as a hash.
    """

    def __init__(
        self, uow: UnitOfWork, tokens: SessionTokens, devices: DeviceTokens, secrets: SecretGenerator, clock: Clock
    ) -> None:
        self._uow, self._tokens, self.devices, self._secrets, self._clock = uow, tokens, devices, secrets, clock

    async def challenge(self, user: User, first_factor: str = "pwd") -> MfaRequired | None:
        """The MFA step for the account's second factors as stored now, after a first step by
        `first_factor` ("pwd", or "ext" for a social login); None when it has none left (its
        `mfa_enabled` is behind: the login needs no second step)."""
        value = self._secrets.token()
        challenge = MfaChallenge.open(
            token_hash=hash_token(value), user_id=user.id, now=self._clock.now(), first_factor=first_factor
        )
        async with self._uow as uow:
            factor = await uow.second_factors.get(user.id)
            totp_active = factor is not None and factor.is_active
            methods = login_methods(totp_active=totp_active, passkeys=await uow.passkeys.count(user.id))
            if not methods:
                return None
            await uow.mfa_challenges.add(challenge)
            await uow.commit()
        return MfaRequired(mfa_token=value, methods=methods)

    async def audit_refusal(self, user_id: UserId, reason: str, *, method: str, context: RequestContext) -> None:
        """Audit a login refused after its first step proved the account (`login.failed` with the
        `reason` and the `method` of that step): a deactivated account, an unverified email."""
        event = AuditEvent.record(
            AuditEventType.LOGIN_FAILED,
            user_id=user_id,
            context=context,
            now=self._clock.now(),
            data={"reason": reason, "method": method},
        )
        async with self._uow as uow:
            await uow.audit.add(event)
            await uow.commit()

    async def start(
        self, proof: LoginProof, *, claim: Callable[[UnitOfWork], Awaitable[bool]] | None = None
    ) -> TokenPair:
        """The new session's token pair. `claim` runs first in the session's transaction: when it
        answers False (what it stands for was used meanwhile), nothing is stored.

        Raises:
            InvalidCredentialsError: the account is gone.
            AccountDisabledError: the account was deactivated.
            MfaFailedError: `claim` answered False (a `PasskeyLoginFailedError` for a passwordless login,
                a `LoginCodeInvalidError` for a social login's code exchange).
        """
        now = self._clock.now()
        user, context = proof.user, proof.context
        policy = self._tokens.policy
        session = Session.start(
            user_id=user.id,
            now=now,
            ttl=min(policy.refresh_ttl, policy.max_lifetime),
            ip=context.ip,
            user_agent=context.user_agent,
            amr=proof.amr,
        )
        refresh = self._tokens.first_refresh_token(session, now)
        async with self._uow as uow:
            if claim is not None and not await claim(uow):
                raise _claim_refusal(proof)
            current = await _still_allowed(uow, user)
            device_token = proof.device_token
            if device_token is None:
                device_token = await self.devices.issue(uow, current, context, now)
            # An upgrade computed from the old password must not overwrite a hash changed meanwhile.
            unchanged = current.hashed_password == user.hashed_password
            current.record_login(now, proof.upgraded_hash if unchanged else None)
            await uow.users.update(current)
            await uow.sessions.add(session)
            await uow.refresh_tokens.add(refresh.record)
            data: AuditData = {"session_id": session.id, "new_device": proof.device_token is None}
            if proof.method is not None:
                data["mfa_method"] = proof.method.value
            if proof.passwordless:
                data["method"] = "passkey"
            elif proof.social:
                data["method"] = "oauth"
            await uow.audit.add(
                AuditEvent.record(AuditEventType.LOGIN_SUCCEEDED, user_id=user.id, context=context, now=now, data=data)
            )
            await uow.commit()
        return replace(self._tokens.pair(current, session, refresh.value, now), device_token=device_token)


def _claim_refusal(proof: LoginProof) -> DomainError:
    """The error of a login whose `claim` found what it stands for used meanwhile."""
    if proof.passwordless:
        return PasskeyLoginFailedError()
    return LoginCodeInvalidError() if proof.social else MfaFailedError()


async def _still_allowed(uow: UnitOfWork, user: User) -> User:
    """The account as stored now, which must still exist and be active (it may have been deleted
    or deactivated while the password was being checked)."""
    current = await uow.users.get(user.id)
    if current is None:
        raise InvalidCredentialsError
    if not current.is_active:
        raise AccountDisabledError
    return current
