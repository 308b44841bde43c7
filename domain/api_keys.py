"""Personal API keys: what a key is, how it is recognised and stored, and what it may do."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network
from typing import NewType

from domain.accounts import Permission
from domain.errors import FieldError, ValidationFailedError
from domain.ids import UserId
from domain.networks import ip_allowed, parse_network
from domain.text import is_control_character

ApiKeyId = NewType("ApiKeyId", str)

API_KEY_PREFIX = "bst_"
# 256 random bits, base64url without padding: 43 characters.
API_KEY_RANDOM_BYTES = 32
API_KEY_RANDOM_LENGTH = 43
# Then a tag of 48 bits (8 base64url characters) that only the service can compute (`ApiKeyCodec`),
# so a forged or mistyped key is refused before any lookup.
API_KEY_TAG_LENGTH = 8
API_KEY_LENGTH = len(API_KEY_PREFIX) + API_KEY_RANDOM_LENGTH + API_KEY_TAG_LENGTH
# The part shown in lists to recognise a key: `bst_` and the first 8 characters.
API_KEY_SHOWN_LENGTH = len(API_KEY_PREFIX) + 8
MAX_API_KEYS_PER_USER = 50
API_KEY_NAME_MAX_LENGTH = 100
MAX_ALLOWED_NETWORKS = 32
MAX_EXPIRES_IN_DAYS = 3650
# How long after its last recorded use a key's `last_used_at` may lag (it is written in batches).
LAST_USED_PRECISION = timedelta(minutes=1)

_KEY_SHAPE = re.compile(rf"bst_[A-Za-z0-9_-]{{{API_KEY_RANDOM_LENGTH + API_KEY_TAG_LENGTH}}}")


class Scope(StrEnum):
    """What a key (or a service account) may do: read tasks, or change them."""

    TASKS_READ = "tasks:read"
    TASKS_WRITE = "tasks:write"


# The permission of the owner that each scope needs: a key can never do more than its owner.
SCOPE_PERMISSIONS: dict[Scope, Permission] = {
    Scope.TASKS_READ: Permission.TASKS_OWN,
    Scope.TASKS_WRITE: Permission.TASKS_OWN,
}


def new_api_key_id() -> ApiKeyId:
    return ApiKeyId(str(uuid.uuid4()))


def new_key_body() -> str:
    """The random part of a new key: `bst_` and 256 random bits in base64url (its tag follows)."""
    return API_KEY_PREFIX + secrets.token_urlsafe(API_KEY_RANDOM_BYTES)


def is_api_key_shaped(value: str) -> bool:
    """Whether `value` has the exact shape of a key (checked before anything else, so a key of 10 MB,
    NUL bytes or `bst_` with garbage cost nothing)."""
    return len(value) == API_KEY_LENGTH and _KEY_SHAPE.fullmatch(value) is not None


def split_key(key: str) -> tuple[str, str]:
    """A key of the right shape as its body (`bst_` and the random part) and its tag."""
    cut = len(key) - API_KEY_TAG_LENGTH
    return key[:cut], key[cut:]


def hash_api_key(key: str) -> str:
    """The SHA-256 hex digest under which a key is stored and looked up (256 random bits: a fast hash
    suffices, there is nothing to brute-force)."""
    return hashlib.sha256(key.encode()).hexdigest()


def shown_part(key: str) -> str:
    """The public prefix of a key, shown in lists to recognise it."""
    return key[:API_KEY_SHOWN_LENGTH]


def parse_scopes(values: list[str]) -> frozenset[Scope]:
    """The scopes named, each known; at least one.

    Raises:
        ValidationFailedError: an unknown scope, or none.
    """
    known = {scope.value for scope in Scope}
    unknown = [value for value in values if value not in known]
    if unknown or not values:
        raise ValidationFailedError([FieldError("scopes", f"Give one or more of: {', '.join(sorted(known))}.")])
    return frozenset(Scope(value) for value in values)


def parse_networks(values: list[str]) -> tuple[IPv4Network | IPv6Network, ...]:
    """CIDR ranges (IPv4 or IPv6; a bare address is a range of one).

    Raises:
        ValidationFailedError: a malformed range, or too many.
    """
    if len(values) > MAX_ALLOWED_NETWORKS:
        raise ValidationFailedError([FieldError("allowed_ips", f"At most {MAX_ALLOWED_NETWORKS} ranges.")])
    networks = []
    for value in values:
        try:
            networks.append(parse_network(value))
        except ValueError:
            raise ValidationFailedError(
                [FieldError("allowed_ips", "Each entry must be an IPv4 or IPv6 address or CIDR range.")]
            ) from None
    return tuple(networks)


def api_key_name(name: str) -> str:
    """A key's name as stored: trimmed, 1 to 100 characters, no control characters.

    Raises:
        ValidationFailedError: empty, too long, or with control characters.
    """
    cleaned = name.strip()
    if not cleaned or len(cleaned) > API_KEY_NAME_MAX_LENGTH:
        raise ValidationFailedError(
            [FieldError("name", f"The name must be 1 to {API_KEY_NAME_MAX_LENGTH} characters.")]
        )
    if any(is_control_character(char) for char in cleaned):
        raise ValidationFailedError([FieldError("name", "The name must not contain control characters.")])
    return cleaned


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKey:
    """A personal API key: known only by its hash, it acts for its owner within its scopes, until it
    expires or is revoked, and from the allowed networks only (any, when none are set)."""

    id: ApiKeyId
    user_id: UserId
    name: str
    shown: str
    key_hash: str
    scopes: frozenset[Scope]
    allowed_networks: tuple[IPv4Network | IPv6Network, ...]
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        """Unrevoked and unexpired at `now`."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def allows_ip(self, ip: str | None) -> bool:
        """Whether a request from client IP `ip` may use the key (an unknown IP only when any may)."""
        return ip_allowed(ip, self.allowed_networks)

    def revoked(self, now: datetime) -> ApiKey:
        return replace(self, revoked_at=now)
