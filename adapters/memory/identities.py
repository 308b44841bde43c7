"""Dict-backed provider identities and social login flows, on a transaction's private copy of the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.identities import EXPIRED_FLOWS_KEPT, Identity, IdentityId, OAuthFlow
from domain.ids import UserId
from domain.ports.identity_repositories import IdentityRepository, OAuthFlowRepository

# `OAuthFlowRepository.save`: expired flows are kept this long, for a late callback.


class MemoryIdentityRepository(IdentityRepository):
    """Identities by id (frozen, so stored as they are); lookups by subject scan them all."""

    def __init__(self, identities: dict[IdentityId, Identity]) -> None:
        self._identities = identities

    async def of_user(self, user_id: UserId) -> list[Identity]:
        owned = [identity for identity in self._identities.values() if identity.user_id == user_id]
        return sorted(owned, key=lambda identity: (identity.created_at, identity.id))

    async def count(self, user_id: UserId) -> int:
        return sum(1 for identity in self._identities.values() if identity.user_id == user_id)

    async def by_subject(self, issuer: str, subject: str) -> Identity | None:
        return next(
            (
                identity
                for identity in self._identities.values()
                if identity.issuer == issuer and identity.subject == subject
            ),
            None,
        )

    async def add(self, identity: Identity) -> bool:
        if await self.by_subject(identity.issuer, identity.subject) is not None:
            return False
        self._identities[identity.id] = identity
        return True

    async def delete(self, identity_id: IdentityId, user_id: UserId) -> bool:
        identity = self._identities.get(identity_id)
        if identity is None or identity.user_id != user_id:
            return False
        del self._identities[identity_id]
        return True


class MemoryOAuthFlowRepository(OAuthFlowRepository):
    """Flows by state hash (frozen, so stored as they are)."""

    def __init__(self, flows: dict[str, OAuthFlow]) -> None:
        self._flows = flows

    async def save(self, flow: OAuthFlow) -> None:
        purge_before = flow.created_at - EXPIRED_FLOWS_KEPT
        for state_hash in [key for key, stored in self._flows.items() if stored.expires_at <= purge_before]:
            del self._flows[state_hash]
        self._flows[flow.state_hash] = flow

    async def take(self, state_hash: str, now: datetime) -> OAuthFlow | None:
        flow = self._flows.get(state_hash)
        if flow is not None and flow.is_fresh(now):
            self._flows[state_hash] = replace(flow, used_at=now)
        return flow
