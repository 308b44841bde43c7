"""Conversions between `api_keys` rows and `ApiKey` (apart from `mapping.py`, which is long enough).

Scopes are stored sorted and joined by spaces, allowed networks joined by commas in the order
given (none: an empty string); both come back exactly as they went in.
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import ip_network
from typing import Any

from domain.api_keys import ApiKey, ApiKeyId, Scope
from domain.ids import UserId

_SCOPE_SEPARATOR = " "
_NETWORK_SEPARATOR = ","


def api_key_to_row(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "user_id": key.user_id,
        "name": key.name,
        "shown": key.shown,
        "key_hash": key.key_hash,
        "scopes": _SCOPE_SEPARATOR.join(sorted(scope.value for scope in key.scopes)),
        "allowed_networks": _NETWORK_SEPARATOR.join(str(network) for network in key.allowed_networks),
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


def api_key_from_row(row: Mapping[str, Any]) -> ApiKey:
    networks: str = row["allowed_networks"]
    return ApiKey(
        id=ApiKeyId(row["id"]),
        user_id=UserId(row["user_id"]),
        name=row["name"],
        shown=row["shown"],
        key_hash=row["key_hash"],
        scopes=frozenset(Scope(value) for value in row["scopes"].split(_SCOPE_SEPARATOR) if value),
        # Stored networks are written by `str(network)`, so `strict=False` never changes one.
        allowed_networks=tuple(ip_network(value, strict=False) for value in networks.split(_NETWORK_SEPARATOR))
        if networks
        else (),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )
