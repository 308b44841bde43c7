"""Social login: the provider identities linked to accounts, and the browser round trip (a flow)
that logs in with one or links one, with the rules that govern both."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from domain.ids import UserId

IdentityId = NewType("IdentityId", str)

# A flow's browser round trip (to the provider and back) must end within this time.
OAUTH_FLOW_TTL = timedelta(minutes=10)
# How long an expired flow is kept, so that a late callback still finds its client (to tell it so).
EXPIRED_FLOWS_KEPT = timedelta(days=1)
# The one-time code that the callback hands the client in the URL fragment.
LOGIN_CODE_TTL = timedelta(seconds=60)
# RFC 8176: authentication by an external identity provider.
AMR_EXTERNAL = ("ext",)
# A configured provider's name: what its variables (BASTION_OAUTH_<NAME>_...) and routes use.
PROVIDER_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Usernames made for new accounts: 3 to 50 characters of `[A-Za-z0-9_-]`.
_USERNAME_STEM = re.compile(r"[^A-Za-z0-9_-]+")
USERNAME_STEM_MAX = 40
USERNAME_MIN = 3


def new_identity_id() -> IdentityId:
    return IdentityId(str(uuid.uuid4()))


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """An identity at a provider (`issuer` + `subject`, unique across accounts) linked to an account.
    `email` is what the provider said when it was linked, kept for display and the data export."""

    id: IdentityId
    user_id: UserId
    provider: str
    issuer: str
    subject: str
    email: str | None
    created_at: datetime

    @classmethod
    def link(
        cls, *, user_id: UserId, provider: str, issuer: str, subject: str, email: str | None, now: datetime
    ) -> Identity:
        return cls(
            id=new_identity_id(),
            user_id=user_id,
            provider=provider,
            issuer=issuer,
            subject=subject,
            email=email,
            created_at=now,
        )


class FlowPurpose(StrEnum):
    # Anyone's browser signs in (or up) with the provider.
    LOGIN = "login"
    # A logged-in account links the provider identity.
    LINK = "link"


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthFlow:
    """One browser round trip to a provider, known by the hash of its `state`; single use.

    `nonce` and `code_verifier` (PKCE) are kept server-side and never leave it but to the provider.
    A login flow is bound to the browser that started it (`browser_hash`, the hash of a cookie
    set then), so a callback replayed in another browser is refused; a link flow is bound to the
    account that asked (`user_id`) instead.
    """

    state_hash: str
    provider: str
    purpose: FlowPurpose
    redirect_uri: str
    nonce: str
    code_verifier: str
    browser_hash: str | None
    user_id: UserId | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def open(
        cls,
        *,
        state_hash: str,
        provider: str,
        purpose: FlowPurpose,
        redirect_uri: str,
        nonce: str,
        code_verifier: str,
        browser_hash: str | None,
        user_id: UserId | None,
        now: datetime,
    ) -> OAuthFlow:
        return cls(
            state_hash=state_hash,
            provider=provider,
            purpose=purpose,
            redirect_uri=redirect_uri,
            nonce=nonce,
            code_verifier=code_verifier,
            browser_hash=browser_hash,
            user_id=user_id,
            created_at=now,
            expires_at=now + OAUTH_FLOW_TTL,
        )

    def is_fresh(self, now: datetime) -> bool:
        """Whether the callback may still complete the flow: unused and unexpired."""
        return self.used_at is None and now < self.expires_at


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA-256(ASCII(verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redirect_allowed(redirect_uri: str, allowlist: tuple[str, ...]) -> bool:
    """Whether a client may be sent back to `redirect_uri`: an exact match of an allowed URL (no
    prefix, no pattern), without a fragment (the callback writes its own)."""
    return "#" not in redirect_uri and redirect_uri in allowlist


def username_stem(email: str | None, name: str | None) -> str:
    """The start of a username for an account a provider creates: the email's local part (or the
    name) reduced to `[A-Za-z0-9_-]`, `user` when nothing usable is left."""
    source = email.partition("@")[0] if email else (name or "")
    stem = _USERNAME_STEM.sub("", source.replace(".", "_").replace(" ", "_"))[:USERNAME_STEM_MAX]
    return stem if len(stem) >= USERNAME_MIN else "user"


def login_methods_left(*, has_password: bool, identities: int, passkeys: int) -> int:
    """How many ways to log in an account has: its password, each linked identity, each passkey."""
    return int(has_password) + identities + passkeys
