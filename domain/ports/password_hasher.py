"""The PasswordHasher port."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from domain.passwords import PasswordCheck


class PasswordHasher(Protocol):
    """Slow, salted password hashing. Work runs off the event loop with bounded concurrency.

    Implementations raise no domain error; when the hashing capacity is saturated they raise
    their adapter's unavailability error rather than queueing without bound.
    """

    @abstractmethod
    async def hash(self, password: str) -> str:
        """A new hash of `password` with the current parameters."""

    @abstractmethod
    async def verify(self, password: str, password_hash: str) -> PasswordCheck:
        """Check `password` against `password_hash`.

        An unknown or malformed hash is a failed check, never an exception. `upgraded_hash` is set
        when the password is right and the stored hash uses an outdated scheme or parameters.
        """

    @abstractmethod
    async def verify_dummy(self, password: str) -> None:
        """Spend the same work as one `verify`, for an account that does not exist."""
