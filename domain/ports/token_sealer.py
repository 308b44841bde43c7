"""The port that keeps a secret unusable to whoever reads only the database."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class TokenSealer(Protocol):
    """Encrypts short secrets (mailed link tokens) with a key that is never stored beside them."""

    @abstractmethod
    def seal(self, secret: str) -> str:
        """The secret encrypted and authenticated, as printable text; every call gives other text."""

    @abstractmethod
    def unseal(self, sealed: str) -> str:
        """The secret back.

        Raises:
            ValueError: the text was not sealed with this key (changed key, altered text).
        """
