"""IdentityOutcomes: what a verified provider identity does at the end of a flow (sign in, sign up or
link), and the one-time code that ends a sign-in."""

from __future__ import annotations

from datetime import datetime

from application.unit_of_work import UnitOfWork
from domain.account_values import FULL_NAME_MAX_LENGTH, Email, Username, parse_full_name
from domain.accounts import User
from domain.audit import AuditData, AuditEvent, AuditEventType, RequestContext
from domain.errors import EmailTakenError, UsernameTakenError, ValidationFailedError
from domain.identities import LOGIN_CODE_TTL, FlowPurpose, Identity, OAuthFlow, username_stem
from domain.ids import UserId
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.opaque_tokens import hash_token
from domain.ports.clock import Clock
from domain.ports.identity_providers import ProviderIdentity
from domain.ports.secret_generator import SecretGenerator

Fragment = tuple[tuple[str, str], ...]
# Tries at a free username for a new account (the stem, then the stem with a random suffix).
USERNAME_TRIES = 5
USERNAME_SUFFIX = 6


class CallbackRefusedError(Exception):
    """A flow that ends in `#error=<reason>`; `detail` (the audit's reason) when more is known."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class IdentityOutcomes:
    """Settle a verified identity.

    Sign-in flows:
    - A known identity (issuer + subject) signs in to its account (`account_disabled` if deactivated).
    - An unknown identity whose provider asserts a verified email that no account has creates an
      account: that email, verified; no password; a username from the email (a random suffix when
      taken); the name the provider gave. Audited `user.registered` and `oauth.linked`.
    - An unknown identity without a verified email: `email_not_verified`; one whose email belongs to
      an account: `account_exists` (never linked silently: the owner links it after logging in).
    - The answer is a one-time code (256 random bits, stored as a hash, 60 s, single use) that the
      client exchanges for the tokens. Audited `oauth.login`.
    Link flows: the identity joins the flow's account (`oauth.linked`), unless another account has
    it (`identity_in_use`); linking it again to its own account changes nothing. The answer is
    `linked=<provider>`.
    """

    def __init__(self, uow: UnitOfWork, secrets: SecretGenerator, clock: Clock) -> None:
        self._uow, self._secrets, self._clock = uow, secrets, clock

    async def settle(self, flow: OAuthFlow, identity: ProviderIdentity, context: RequestContext) -> Fragment:
        if flow.purpose is FlowPurpose.LINK:
            return await self._link(flow, identity, context)
        return await self._sign_in(flow, identity, context)

    async def _sign_in(self, flow: OAuthFlow, found: ProviderIdentity, context: RequestContext) -> Fragment:
        now = self._clock.now()
        async with self._uow as uow:
            linked = await uow.identities.by_subject(found.issuer, found.subject)
            if linked is not None:
                user = await uow.users.get(linked.user_id)
                if user is None or not user.is_active:
                    raise CallbackRefusedError("account_disabled")
                identity, created = linked, False
            else:
                user, identity = await self._sign_up(uow, flow, found, context, now)
                created = True
            code = self._secrets.token()
            await uow.one_time_tokens.add(
                OneTimeToken(
                    token_hash=hash_token(code),
                    user_id=user.id,
                    purpose=TokenPurpose.SOCIAL_LOGIN,
                    created_at=now,
                    expires_at=now + LOGIN_CODE_TTL,
                )
            )
            data: AuditData = {"provider": flow.provider, "identity_id": identity.id, "new_account": created}
            await uow.audit.add(
                AuditEvent.record(AuditEventType.OAUTH_LOGIN, user_id=user.id, context=context, now=now, data=data)
            )
            await uow.commit()
        return (("code", code),)

    async def _sign_up(
        self, uow: UnitOfWork, flow: OAuthFlow, found: ProviderIdentity, context: RequestContext, now: datetime
    ) -> tuple[User, Identity]:
        if not found.email or not found.email_verified:
            raise CallbackRefusedError("email_not_verified")
        try:
            email = Email.parse(found.email)
        except ValidationFailedError:
            raise CallbackRefusedError("email_not_verified", detail="email_unusable") from None
        if await uow.users.by_email(email) is not None:
            raise CallbackRefusedError("account_exists")
        user = await self._new_account(uow, email, found)
        # Linked by a concurrent callback of the same identity since it was looked up: refused.
        identity = await _linked(uow, flow, found, user.id, now)
        await uow.audit.add(
            AuditEvent.record(
                AuditEventType.USER_REGISTERED,
                user_id=user.id,
                context=context,
                now=now,
                data={"method": "oauth", "provider": flow.provider},
            )
        )
        await self._audit_linked(uow, identity, context, now)
        return user, identity

    async def _new_account(self, uow: UnitOfWork, email: Email, found: ProviderIdentity) -> User:
        try:
            full_name = parse_full_name(found.name[:FULL_NAME_MAX_LENGTH] if found.name else None)
        except ValidationFailedError:
            full_name = None
        stem = username_stem(email.value, found.name)
        for attempt in range(USERNAME_TRIES):
            name = stem if attempt == 0 else f"{stem}-{self._secrets.token()[:USERNAME_SUFFIX]}"
            username = Username.parse(name)
            if await uow.users.by_username(username) is not None:
                continue
            user = User.register_external(email=email, username=username, full_name=full_name, now=self._clock.now())
            try:
                await uow.users.add(user)
            except EmailTakenError:
                raise CallbackRefusedError("account_exists") from None
            except UsernameTakenError:
                continue
            return user
        raise CallbackRefusedError("account_exists", detail="no_free_username")

    async def _link(self, flow: OAuthFlow, found: ProviderIdentity, context: RequestContext) -> Fragment:
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(flow.user_id) if flow.user_id is not None else None
            if user is None or not user.is_active:
                raise CallbackRefusedError("account_disabled")
            linked = await uow.identities.by_subject(found.issuer, found.subject)
            if linked is not None and linked.user_id != user.id:
                raise CallbackRefusedError("identity_in_use")
            if linked is None:
                identity = await _linked(uow, flow, found, user.id, now)
                await self._audit_linked(uow, identity, context, now)
                await uow.commit()
        return (("linked", flow.provider),)

    async def _audit_linked(self, uow: UnitOfWork, identity: Identity, context: RequestContext, now: datetime) -> None:
        await uow.audit.add(
            AuditEvent.record(
                AuditEventType.OAUTH_LINKED,
                user_id=identity.user_id,
                context=context,
                now=now,
                data={"identity_id": identity.id, "provider": identity.provider},
            )
        )


async def _linked(
    uow: UnitOfWork, flow: OAuthFlow, found: ProviderIdentity, user_id: UserId, now: datetime
) -> Identity:
    """Link the provider identity to the account, with the email the provider gave now.

    Raises:
        CallbackRefusedError: `identity_in_use`, another account has it (linked meanwhile, too).
    """
    identity = Identity.link(
        user_id=user_id, provider=flow.provider, issuer=found.issuer, subject=found.subject, email=found.email, now=now
    )
    if not await uow.identities.add(identity):
        raise CallbackRefusedError("identity_in_use")
    return identity
