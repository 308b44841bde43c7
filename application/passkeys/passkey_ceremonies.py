"""PasskeyCeremonies: the server's side of WebAuthn ceremonies for the use cases: challenges stored
and taken back, assertions judged against the stored passkeys, refusals audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Never

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import AuditData, AuditEvent, AuditEventType, RequestContext
from domain.errors import PasskeyLoginFailedError, PasskeyRefusedError
from domain.ids import UserId
from domain.opaque_tokens import hash_token, is_plausible_token
from domain.passkeys import CeremonyPurpose, Passkey, WebAuthnChallenge, sign_count_regressed, user_handle
from domain.ports.clock import Clock
from domain.ports.secret_generator import SecretGenerator
from domain.ports.webauthn import CeremonyOptions, CredentialDescriptor, WebAuthnCeremonies


@dataclass(frozen=True, slots=True)
class PasskeyOptions:
    """A ceremony begun: the options for `navigator.credentials` and the opaque id of its challenge,
    which the answer must come back with."""

    challenge_id: str
    options: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PasskeyUse:
    """An accepted assertion: the passkey as stored, and as it is after this use. The use counts
    only once recorded (`record`) in the transaction of what it allows."""

    stored: Passkey
    used: Passkey

    async def record(self, uow: UnitOfWork) -> bool:
        """Store the new sign count and time of use; False when the passkey changed meanwhile."""
        return await uow.passkeys.record_use(self.used, expected_sign_count=self.stored.sign_count)


def descriptors(passkeys: list[Passkey]) -> list[CredentialDescriptor]:
    return [CredentialDescriptor(passkey.credential_id, passkey.transports) for passkey in passkeys]


class PasskeyCeremonies:
    """The ceremonies of passkeys for the use cases.

    - A challenge is stored server-side under the hash of its handle (a fresh random `challenge_id`,
      or the `mfa_token` of a login's second step), for one purpose, single use, five minutes.
    - An assertion is accepted only for a stored passkey, of the expected account when one is
      expected, with the user handle of that account when the authenticator sends one (always, for
      a passwordless login), a valid signature over the challenge from an accepted origin and RP id,
      user verification when required, and a signature counter that did not go backwards (a
      cloned authenticator). Each refusal is audited (`passkey.failed`, with its reason) and
      answered alike (`PasskeyLoginFailedError`).
    """

    def __init__(self, webauthn: WebAuthnCeremonies, secrets: SecretGenerator, clock: Clock) -> None:
        self.webauthn, self._secrets, self._clock = webauthn, secrets, clock

    async def begin(
        self, uow: UnitOfWork, purpose: CeremonyPurpose, user_id: UserId | None, options: CeremonyOptions,
        handle: str | None = None,
    ) -> PasskeyOptions:  # fmt: skip
        """Store the challenge of `options` under `handle` (a new random one when None)."""
        challenge_id = handle if handle is not None else self._secrets.token()
        challenge = WebAuthnChallenge.issue(
            handle_hash=hash_token(challenge_id),
            purpose=purpose,
            challenge=options.challenge,
            user_id=user_id,
            now=self._clock.now(),
        )
        async with uow as tx:
            await tx.webauthn_challenges.save(challenge)
            await tx.commit()
        return PasskeyOptions(challenge_id=challenge_id, options=options.options)

    async def take(
        self, uow: UnitOfWork, handle: str, purpose: CeremonyPurpose, refused: Callable[[], Exception]
    ) -> WebAuthnChallenge:
        """The challenge of `handle`, used up; `refused()` is raised when there is none to answer."""
        if not is_plausible_token(handle):
            raise refused()
        async with uow as tx:
            challenge = await tx.webauthn_challenges.take(hash_token(handle), purpose, self._clock.now())
            await tx.commit()
        if challenge is None:
            raise refused()
        return challenge

    async def accepted(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, challenge: WebAuthnChallenge, credential: Any, *,
        user_id: UserId | None, context: RequestContext,
    ) -> PasskeyUse:  # fmt: skip
        """The use of the passkey that answered `challenge` with `credential`: of the account
        `user_id` (a second step), or of any account, user verified (passwordless).

        Raises:
            PasskeyLoginFailedError: refused (audited).
        """
        purpose = "login" if user_id is None else "login_mfa"
        try:
            claim = self.webauthn.claim_of(credential)
        except PasskeyRefusedError:
            await self._refuse(uow, user_id, purpose, "malformed", context)
        async with reader as view:
            passkey = await view.passkeys.by_credential_id(claim.credential_id)
        if passkey is None:
            await self._refuse(uow, user_id, purpose, "unknown_credential", context)
        if user_id is not None and passkey.user_id != user_id:
            await self._refuse(uow, user_id, purpose, "other_account", context)
        expected_handle = user_handle(passkey.user_id)
        if claim.user_handle != expected_handle and (user_id is None or claim.user_handle is not None):
            await self._refuse(uow, passkey.user_id, purpose, "user_handle_mismatch", context)
        try:
            verified = self.webauthn.verify_authentication(
                credential,
                challenge=challenge.challenge,
                public_key=passkey.public_key,
                user_verification_required=user_id is None,
            )
        except PasskeyRefusedError:
            await self._refuse(uow, passkey.user_id, purpose, "bad_assertion", context)
        if sign_count_regressed(passkey.sign_count, verified.sign_count):
            await self._refuse(uow, passkey.user_id, purpose, "counter_regressed", context, passkey=passkey)
        used = passkey.used(sign_count=verified.sign_count, backed_up=verified.backed_up, now=self._clock.now())
        return PasskeyUse(stored=passkey, used=used)

    async def _refuse(
        self, uow: UnitOfWork, user_id: UserId | None, purpose: str, reason: str, context: RequestContext, *,
        passkey: Passkey | None = None,
    ) -> Never:  # fmt: skip
        data: AuditData = {"purpose": purpose, "reason": reason}
        if passkey is not None:
            data["passkey_id"] = passkey.id
        event = AuditEvent.record(
            AuditEventType.PASSKEY_FAILED, user_id=user_id, context=context, now=self._clock.now(), data=data
        )
        async with uow as tx:
            await tx.audit.add(event)
            await tx.commit()
        raise PasskeyLoginFailedError
