"""The repository ports of social login: the identities linked to accounts, and the flows (browser
round trips to a provider) in progress. Handed out by a unit of work (`identities`, `oauth_flows`),
the identities' reading half also by a read-only one."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from domain.identities import Identity, IdentityId, OAuthFlow
from domain.ids import UserId


class IdentityReader(Protocol):
    """The provider identities linked to accounts, read."""

    @abstractmethod
    async def of_user(self, user_id: UserId) -> list[Identity]:
        """The account's identities, oldest first."""

    @abstractmethod
    async def count(self, user_id: UserId) -> int:
        """How many identities the account has."""

    @abstractmethod
    async def by_subject(self, issuer: str, subject: str) -> Identity | None:
        """The identity with this issuer and subject (whosever it is), or None."""


class IdentityRepository(IdentityReader, Protocol):
    """The provider identities linked to accounts, read and written; deleted with their account."""

    @abstractmethod
    async def add(self, identity: Identity) -> bool:
        """Link a new identity to an existing account. False, storing nothing, when an identity with
        the same issuer and subject is linked already (to any account), also when a concurrent
        transaction linked it first."""

    @abstractmethod
    async def delete(self, identity_id: IdentityId, user_id: UserId) -> bool:
        """Unlink the account's identity; False when the account has no identity with this id."""


class OAuthFlowRepository(Protocol):
    """The social login flows in progress, known by the hash of their `state`."""

    @abstractmethod
    async def save(self, flow: OAuthFlow) -> None:
        """Store a new flow; flows that expired a day before its `created_at` are deleted on the
        way (expired ones are kept that long so that a late callback still finds its client)."""

    @abstractmethod
    async def take(self, state_hash: str, now: datetime) -> OAuthFlow | None:
        """The flow with this state hash as it was before this call, marked used at `now` if it was
        fresh (`OAuthFlow.is_fresh`); None when there is none. Of concurrent callers, exactly one
        gets the flow with `used_at` None."""
