"""The BreachedPasswordCheck port: whether a password is known from data breaches."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class BreachedPasswordCheck(Protocol):
    """Asks a corpus of breached passwords about one new password.

    The password never leaves the process in clear, nor in a form that identifies it (a range
    API is sent the first 5 hex digits of its SHA-1 only). A source that does not answer in time
    is no reason to refuse a password: the check then answers False and the implementation logs a
    warning that carries no password material. Implementations raise no domain error.
    """

    @abstractmethod
    async def is_breached(self, password: str) -> bool:
        """True when `password` (exactly as given) was seen in a breach; False when it was not, or
        when the source could not tell."""
