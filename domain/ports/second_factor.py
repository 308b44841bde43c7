"""The ports of the second factor's technical parts: the TOTP algorithm, the QR code, and the hash of
recovery codes (the secret's encryption at rest is a `TokenSealer`)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class TotpAlgorithm(Protocol):
    """RFC 6238 time-based one-time passwords: SHA-1, 6 digits, 30-second steps."""

    @abstractmethod
    def new_secret(self) -> str:
        """A fresh random secret of 160 bits, in base32 (upper case, without padding)."""

    @abstractmethod
    def code_at(self, secret: str, step: int) -> str:
        """The code of time step `step` (`T` of RFC 6238) for the base32 `secret`: six digits,
        zero-padded. Pure and fast (well under a millisecond)."""

    @abstractmethod
    def provisioning_uri(self, secret: str, *, account: str, issuer: str) -> str:
        """The `otpauth://totp/...` URI authenticator apps read, naming `issuer` and `account`."""


class QrRenderer(Protocol):
    """Draws QR codes."""

    @abstractmethod
    def svg(self, text: str) -> str:
        """A standalone SVG document of the QR code of `text`."""


class RecoveryCodeHasher(Protocol):
    """The keyed hash under which recovery codes are stored."""

    @abstractmethod
    def hash(self, code: str) -> str:
        """The hash of a recovery code in its canonical form: the same code always gives the same
        text, and nobody without the key can compute it."""
