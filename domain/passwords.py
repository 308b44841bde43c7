"""What a new password must satisfy, and the outcome of checking one."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from domain.common_passwords import CommonPasswords
from domain.errors import FieldError, ValidationFailedError


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """The outcome of a password verification; `upgraded_hash` is set when the stored hash is outdated."""

    ok: bool
    upgraded_hash: str | None = None


PASSWORD_HARD_MAX_LENGTH = 1024
COMMON_PASSWORD = "Must not be a commonly used password, even with letters swapped or characters added at the end."
BREACHED_PASSWORD = "Must not be a password known from data breaches."


def normalized_password(password: str) -> str:
    """The form a password is checked, hashed and verified in: Unicode NFC, so that the same
    characters typed as precomposed or combining sequences are the same password."""
    return unicodedata.normalize("NFC", password)


_SPECIALS = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ")


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordPolicy:
    """What a new password must satisfy. Every rule can be switched off except the length bounds.

    `max_length` exists so that a megabyte "password" is refused before it reaches the hasher.
    Rules apply to the NFC form (`normalized_password`), and a password in `common` (in any of
    its spellings, see `domain.common_passwords`) is refused; the default list is empty.
    """

    min_length: int = 8
    max_length: int = 128
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_digit: bool = True
    require_special: bool = True
    common: CommonPasswords = field(default=CommonPasswords(), repr=False)

    def violations(self, password: str) -> list[str]:
        """Every rule the password breaks, in a stable order (empty when it is acceptable)."""
        password = normalized_password(password)
        return [
            *self._length_violations(password),
            *self._composition_violations(password),
            *self._content_violations(password),
        ]

    def _length_violations(self, password: str) -> list[str]:
        broken: list[str] = []
        if len(password) < self.min_length:
            broken.append(f"Must be at least {self.min_length} characters long.")
        if len(password) > self.max_length:
            broken.append(f"Must be at most {self.max_length} characters long.")
        return broken

    def _composition_violations(self, password: str) -> list[str]:
        broken: list[str] = []
        if self.require_uppercase and not any(char.isupper() for char in password):
            broken.append("Must contain an uppercase letter.")
        if self.require_lowercase and not any(char.islower() for char in password):
            broken.append("Must contain a lowercase letter.")
        if self.require_digit and not any(char.isdigit() for char in password):
            broken.append("Must contain a digit.")
        if self.require_special and not any(char in _SPECIALS or not char.isalnum() for char in password):
            broken.append("Must contain a special character.")
        return broken

    def _content_violations(self, password: str) -> list[str]:
        broken: list[str] = []
        if "\x00" in password:
            broken.append("Must not contain a NUL character.")
        if any("\ud800" <= char <= "\udfff" for char in password):
            broken.append("Must be valid Unicode text.")
        elif password in self.common:
            broken.append(COMMON_PASSWORD)
        return broken

    def check(self, password: str, *, field_name: str = "password") -> None:
        """Raises:
        ValidationFailedError: one entry per broken rule.
        """
        broken = self.violations(password)
        if broken:
            raise ValidationFailedError([FieldError(field_name, message) for message in broken])
