"""Service accounts: machine clients of the OAuth2 client credentials grant (RFC 6749 section 4.4).

A service account is not a user: it has no password, no roles and no session. It authenticates with
its public `client_id` and a secret shown once, and gets access tokens whose `sub` is its own id,
acting as itself within its scopes (the same scopes, and the same narrow reach, as personal API keys).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NewType

from domain.api_keys import Scope, api_key_name, parse_scopes
from domain.errors import InvalidScopeError
from domain.ids import SessionId, UserId

ServiceAccountId = NewType("ServiceAccountId", str)

CLIENT_ID_PREFIX = "svc_"
# 128 random bits make a client id unguessable, though it is public: it names, the secret proves.
CLIENT_ID_RANDOM_BYTES = 16
# 256 random bits, base64url without padding: 43 characters.
CLIENT_SECRET_RANDOM_BYTES = 32
# Longer values are refused before any hashing (HTTP Basic and form fields alike).
CLIENT_ID_MAX_LENGTH = 64
CLIENT_SECRET_MAX_LENGTH = 256
SCOPE_MAX_LENGTH = 1000


def new_service_account_id() -> ServiceAccountId:
    return ServiceAccountId(str(uuid.uuid4()))


def new_client_id() -> str:
    """A new public client id: `svc_` and 128 random bits in base64url."""
    return CLIENT_ID_PREFIX + secrets.token_urlsafe(CLIENT_ID_RANDOM_BYTES)


def new_client_secret() -> str:
    """A new client secret: 256 random bits in base64url, shown once and stored only as a hash."""
    return secrets.token_urlsafe(CLIENT_SECRET_RANDOM_BYTES)


def service_account_name(name: str) -> str:
    """A service account's name as stored: the rules of an API key's name, reported under `name`.

    Raises:
        ValidationFailedError: empty, over 100 characters, or with control characters.
    """
    return api_key_name(name)


def service_account_scopes(values: list[str]) -> frozenset[Scope]:
    """The scopes granted to a new service account: one or more known ones.

    Raises:
        ValidationFailedError: an unknown scope, or none.
    """
    return parse_scopes(values)


def parse_scope_parameter(value: str | None) -> frozenset[str] | None:
    """The scopes named by an OAuth2 `scope` parameter (space-separated, RFC 6749 section 3.3);
    None when absent or blank (then the client gets all of its scopes).

    Raises:
        InvalidScopeError: the parameter is too long.
    """
    if value is None or not value.strip():
        return None
    if len(value) > SCOPE_MAX_LENGTH:
        raise InvalidScopeError
    return frozenset(value.split())


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceAccount:
    """A machine client: known by its public `client_id`, proved by a secret known only by its hash
    (argon2id, as passwords are), allowed its `scopes` only, until it is deleted."""

    id: ServiceAccountId
    name: str
    client_id: str
    secret_hash: str
    scopes: frozenset[Scope]
    created_at: datetime
    secret_rotated_at: datetime | None = None
    deleted_at: datetime | None = None

    @property
    def subject(self) -> UserId:
        """The `sub` of its tokens (its id: the revocation list kills them as it kills a user's)."""
        return UserId(self.id)

    @property
    def subject_session(self) -> SessionId:
        """The `sid` of its tokens: its id too (it has no session; a token's `sid` is never empty)."""
        return SessionId(self.id)

    def granted(self, requested: frozenset[str] | None) -> frozenset[Scope]:
        """The scopes of a token it asks for: all of its own when `requested` is None, else exactly
        those requested, each of which it must have.

        Raises:
            InvalidScopeError: a requested scope is unknown or not granted to it.
        """
        if requested is None:
            return self.scopes
        own = {scope.value: scope for scope in self.scopes}
        if not requested <= own.keys():
            raise InvalidScopeError
        return frozenset(own[value] for value in requested)

    def with_secret(self, secret_hash: str, now: datetime) -> ServiceAccount:
        return replace(self, secret_hash=secret_hash, secret_rotated_at=now)

    def deleted(self, now: datetime) -> ServiceAccount:
        return replace(self, deleted_at=now)


def scope_text(scopes: frozenset[Scope]) -> str:
    """Scopes as OAuth2 writes them: space-separated, here sorted."""
    return " ".join(sorted(scope.value for scope in scopes))
