"""The SecretGenerator port: unpredictable values for tokens."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class SecretGenerator(Protocol):
    """Unpredictable values for tokens."""

    @abstractmethod
    def token(self) -> str:
        """A fresh URL-safe random string carrying at least 256 bits of entropy."""
