"""The bodies of the API key routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from application.api_keys.create_api_key import NewApiKey
from domain.api_keys import MAX_ALLOWED_NETWORKS, MAX_EXPIRES_IN_DAYS, ApiKey
from entrypoints.http.field_types import ApiKeyName, ScopeList


class ApiKeyCreateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ApiKeyName
    scopes: ScopeList
    expires_in_days: Annotated[
        int | None,
        msgspec.Meta(description=f"1 to {MAX_EXPIRES_IN_DAYS} days; none: the key does not expire."),
    ] = None
    allowed_ips: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=64)]] | None,
        msgspec.Meta(
            description=f"Up to {MAX_ALLOWED_NETWORKS} IPv4 or IPv6 CIDR ranges the key may be used from; none: any."
        ),
    ] = None


class ApiKeyResponse(msgspec.Struct, frozen=True):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    allowed_ips: list[str]
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyResponse:
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.shown,
            scopes=sorted(scope.value for scope in key.scopes),
            expires_at=key.expires_at,
            allowed_ips=[str(network) for network in key.allowed_networks],
            created_at=key.created_at,
            last_used_at=key.last_used_at,
        )


class NewApiKeyResponse(msgspec.Struct, frozen=True):
    """The new key, with `key` itself: shown this once, never stored."""

    id: str
    name: str
    key: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    allowed_ips: list[str]
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, made: NewApiKey) -> NewApiKeyResponse:
        shown = ApiKeyResponse.of(made.key)
        return cls(key=made.secret, **{field: getattr(shown, field) for field in shown.__struct_fields__})
