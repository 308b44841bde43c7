"""The records of the local OpenID Connect provider (tests/oidc_provider.py), in the shapes Authlib's
authorization server asks of clients, authorization codes and tokens."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from authlib.oidc.core import UserInfo

CLIENT_ID = "bastion-oidc-client"
# Characters that HTTP Basic client authentication must encode (RFC 6749 section 2.3.1).
CLIENT_SECRET = "oidc secret: 100% +tests/0123456789"
REDIRECT_URI = "https://bastion.test/auth/oauth/local/callback"
SCOPE = "openid email profile"


@dataclass(slots=True)
class OidcUser:
    sub: str = "user-42"
    email: str | None = "ada@example.org"
    email_verified: bool | str = True
    name: str | None = "Ada Lovelace"


@dataclass(slots=True)
class RegisteredClient:
    auth_method: str = "client_secret_basic"
    client_id: str = CLIENT_ID
    # The one callback URL registered (a test of a server on another address sets its own).
    redirect_uri: str = REDIRECT_URI
    client_metadata: dict[str, Any] = field(default_factory=dict)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(name for name in scope.split() if name in SCOPE.split())

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == CLIENT_SECRET

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint != "token" or method == self.auth_method

    def check_token_endpoint_auth_method(self, method: str) -> bool:
        return method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(slots=True)
class IssuedCode:
    code: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    user: OidcUser
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass(slots=True)
class IssuedToken:
    access_token: str
    scope: str
    user: OidcUser
    client: RegisteredClient
    issued_at: int = field(default_factory=lambda: int(time.time()))

    def check_client(self, client: RegisteredClient) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return 3600

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + 3600

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> OidcUser:
        return self.user

    def get_client(self) -> RegisteredClient:
        return self.client


def user_info(user: OidcUser, *, with_email: bool = True) -> UserInfo:
    claims: dict[str, Any] = {"sub": user.sub}
    if user.name is not None:
        claims["name"] = user.name
    if with_email and user.email is not None:
        claims |= {"email": user.email, "email_verified": user.email_verified}
    return UserInfo(claims)
