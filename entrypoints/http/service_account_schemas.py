"""The bodies of the service account routes and of the client credentials grant."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from application.service_accounts.create_service_account import NewServiceAccount
from application.service_accounts.issue_service_token import ServiceToken
from domain.service_accounts import CLIENT_ID_MAX_LENGTH, CLIENT_SECRET_MAX_LENGTH, SCOPE_MAX_LENGTH, ServiceAccount
from entrypoints.http.field_types import ApiKeyName, ScopeList


class ServiceAccountCreateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ApiKeyName
    scopes: ScopeList


class ServiceAccountResponse(msgspec.Struct, frozen=True):
    id: str
    name: str
    client_id: str
    scopes: list[str]
    created_at: datetime
    secret_rotated_at: datetime | None

    @classmethod
    def of(cls, account: ServiceAccount) -> ServiceAccountResponse:
        return cls(
            id=account.id,
            name=account.name,
            client_id=account.client_id,
            scopes=sorted(scope.value for scope in account.scopes),
            created_at=account.created_at,
            secret_rotated_at=account.secret_rotated_at,
        )


class NewServiceAccountResponse(msgspec.Struct, frozen=True):
    """The new service account, with its `client_secret`: shown this once, never stored."""

    id: str
    name: str
    client_id: str
    client_secret: str
    scopes: list[str]
    created_at: datetime

    @classmethod
    def of(cls, made: NewServiceAccount) -> NewServiceAccountResponse:
        account = made.account
        return cls(
            id=account.id,
            name=account.name,
            client_id=account.client_id,
            client_secret=made.client_secret,
            scopes=sorted(scope.value for scope in account.scopes),
            created_at=account.created_at,
        )


class ClientSecretResponse(msgspec.Struct, frozen=True):
    """The new client secret: shown this once, never stored."""

    client_secret: str


class ClientCredentialsForm(msgspec.Struct, frozen=True):
    """The client credentials grant's form (RFC 6749 section 4.4.2), with the client's credentials
    in it (`client_secret_post`) or in an HTTP Basic header (`client_secret_basic`). Unknown fields
    are ignored, as RFC 6749 section 3.2 requires of a token endpoint."""

    grant_type: Literal["client_credentials"]
    # Its length is judged by the grant (400 `invalid_scope`, as OAuth2 clients expect), not here.
    scope: (
        Annotated[str, msgspec.Meta(description=f"Space-separated, {SCOPE_MAX_LENGTH} characters at most.")] | None
    ) = None
    client_id: Annotated[str, msgspec.Meta(max_length=CLIENT_ID_MAX_LENGTH)] | None = None
    client_secret: Annotated[str, msgspec.Meta(max_length=CLIENT_SECRET_MAX_LENGTH)] | None = None


class ServiceTokenResponse(msgspec.Struct, frozen=True):
    """An access token of a service account (RFC 6749 section 5.1), without a refresh token."""

    access_token: str
    expires_in: int
    scope: Annotated[str, msgspec.Meta(description="The token's scopes, space-separated.")]
    token_type: Literal["bearer"] = "bearer"

    @classmethod
    def of(cls, token: ServiceToken) -> ServiceTokenResponse:
        return cls(access_token=token.access_token, expires_in=token.expires_in, scope=" ".join(token.scopes))
