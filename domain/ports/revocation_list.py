"""The RevocationList port: access tokens that must die before they expire."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from domain.ids import SessionId, UserId
from domain.sessions import AccessClaims


class RevocationList(Protocol):
    """Access tokens that must stop working before they expire: by session, or all of a user's tokens
    issued before a moment. Entries are kept until `until` (the longest any affected token can live).

    `is_revoked` answers from memory, without I/O, so it can run on every request; revocations made
    through one instance are seen by it at once and by every other instance sharing the same store
    shortly after. Writes to a server that does not answer are kept and retried, never dropped.

    `share=False` applies a revocation to this instance only: one learned from the database's
    revocation log, which every other process reads too, need not be written to a shared store again.
    """

    @abstractmethod
    async def revoke_sessions(self, session_ids: Collection[SessionId], *, until: datetime, share: bool = True) -> None:
        """Revoke every access token carrying one of these session ids."""

    @abstractmethod
    async def revoke_user(
        self, user_id: UserId, *, issued_before: datetime, until: datetime, share: bool = True
    ) -> None:
        """Revoke every access token of the user issued before `issued_before` (whole seconds)."""

    @abstractmethod
    def is_revoked(self, claims: AccessClaims, now: datetime) -> bool:
        """Whether the token with these claims has been revoked (entries past their `until` are gone)."""

    @abstractmethod
    def is_session_revoked(self, session_id: str, now: datetime) -> bool:
        """Whether this session id is revoked, whatever the token: also how an API key's revocation
        is known (its id stands where a session's does, `domain.events.api_keys_revoked`)."""
