"""MemoryRevocationList: revocations kept in this process only."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from adapters.revocation_cache import RevocationCache, seconds_down, seconds_up
from domain.ids import SessionId, UserId
from domain.ports.revocation_list import RevocationList
from domain.sessions import AccessClaims


class MemoryRevocationList(RevocationList):
    """Revocations in dicts of this process (see `RevocationCache` for the rules): for tests, local
    development and a single process without Redis. Nothing is shared with other processes, and
    nothing survives a restart (the caller seeds the list from the database at start).
    """

    def __init__(self) -> None:
        self._cache = RevocationCache()

    async def revoke_sessions(self, session_ids: Collection[SessionId], *, until: datetime, share: bool = True) -> None:
        for session_id in session_ids:
            self._cache.add_session(session_id, seconds_up(until.timestamp()))

    async def revoke_user(
        self, user_id: UserId, *, issued_before: datetime, until: datetime, share: bool = True
    ) -> None:
        self._cache.add_user(user_id, seconds_down(issued_before.timestamp()), seconds_up(until.timestamp()))

    def is_revoked(self, claims: AccessClaims, now: datetime) -> bool:
        return self._cache.is_revoked(claims, now.timestamp())

    def is_session_revoked(self, session_id: str, now: datetime) -> bool:
        return self._cache.is_session_revoked(session_id, now.timestamp())
