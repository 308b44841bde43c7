"""The ApiKeyCodec port: minting API keys that only this service could have made, and telling them
from forgeries without a lookup."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class ApiKeyCodec(Protocol):
    """Keys are `bst_`, 256 random bits and a tag (`domain.api_keys`); the tag is a keyed MAC of the
    rest under a key that never leaves the service, so a key that was not minted here is refused
    from its text alone: garbage and guesses never reach the database."""

    @abstractmethod
    def new_key(self) -> str:
        """A fresh key, as shown to its owner once."""

    @abstractmethod
    def is_genuine(self, key: str) -> bool:
        """Whether `key` has the shape of a key and a tag this service made (compared in constant
        time). Pure and fast: it runs on every request that presents a key."""
