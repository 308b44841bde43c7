"""ApiKeyCache: the keys this process looked up lately, so that a request with a key reads no database."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.api_keys import ApiKey
from domain.sessions import Principal

# A stored key and the principal it makes (built once, not on every request).
CachedKey = tuple[ApiKey, Principal]

# How long an unknown hash is remembered as unknown. Keys are minted with a tag only this service can
# compute, so a lookup of a hash no key has is rare (a key deleted with its account, say).
NEGATIVE_TTL = timedelta(seconds=10)
MAX_ENTRIES = 10_000


class ApiKeyCache:
    """Stored keys by hash (or None for an unknown hash), each kept for a while after it was read.

    - A key is kept `ttl`, shorter than the revocation list keeps a revoked key's id: until it is
      read again, a revocation made anywhere reaches this process through the revocation list (at
      once with Redis, within a second from the database), so a revoked key is never accepted from
      the cache, and after `ttl` the database itself says revoked.
    - An unknown hash is kept 10 seconds. At most 10,000 entries: when full, the stale ones go, and
      if none is stale, everything (the next requests read again).
    """

    def __init__(self, ttl: timedelta) -> None:
        self._ttl = ttl
        self._entries: dict[str, tuple[CachedKey | None, datetime]] = {}

    def get(self, key_hash: str, now: datetime) -> tuple[bool, CachedKey | None]:
        """(found, key): found False when the hash must be read from the store."""
        entry = self._entries.get(key_hash)
        if entry is None:
            return False, None
        key, expires = entry
        if now >= expires:
            del self._entries[key_hash]
            return False, None
        return True, key

    def put(self, key_hash: str, key: CachedKey | None, now: datetime) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries = {hash_: entry for hash_, entry in self._entries.items() if now < entry[1]}
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
        self._entries[key_hash] = (key, now + (self._ttl if key is not None else NEGATIVE_TTL))

    def forget(self, key_hash: str) -> None:
        """Drop a hash, so the next request reads it again (its key was revoked by this process)."""
        self._entries.pop(key_hash, None)
