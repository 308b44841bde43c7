"""Value objects of an account: email address, username and display name, each with its parsing rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from domain.errors import FieldError, ValidationFailedError

EMAIL_MAX_LENGTH = 254


FULL_NAME_MAX_LENGTH = 100


_EMAIL_LOCAL_MAX_LENGTH = 64


_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"


_EMAIL_DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})+$")


_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$")


# Control characters, lone surrogates, line and paragraph separators, and the bidi controls that
# let a display name render as something else.
_FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


_USERNAME = re.compile(r"^[A-Za-z0-9_-]{3,50}$")


def _invalid(field_name: str, message: str) -> ValidationFailedError:
    return ValidationFailedError([FieldError(field_name, message)])


@dataclass(frozen=True, slots=True)
class Email:
    """An email address as the user typed it; `normalized` is what uniqueness and look-ups compare.

    Addresses are compared case-insensitively as a whole: most providers ignore case in the
    local part, and treating `Ada@x.org` and `ada@x.org` as two accounts invites takeover.
    """

    value: str

    @property
    def normalized(self) -> str:
        return self.value.lower()

    @classmethod
    def parse(cls, raw: str, *, field_name: str = "email") -> Email:
        """Check the shape of an address (ASCII, one `@`, a dotted domain, RFC 5321 lengths).

        Raises:
            ValidationFailedError: the address is not acceptable.
        """
        value = raw.strip()
        if not value or len(value) > EMAIL_MAX_LENGTH:
            raise _invalid(field_name, f"Must be an email address of at most {EMAIL_MAX_LENGTH} characters.")
        local, at, domain = value.rpartition("@")
        if (
            not at
            or not local
            or len(local) > _EMAIL_LOCAL_MAX_LENGTH
            or not _EMAIL_LOCAL.fullmatch(local)
            or local.startswith(".")
            or local.endswith(".")
            or ".." in local
            or not _EMAIL_DOMAIN.fullmatch(domain)
        ):
            raise _invalid(field_name, "Must be a valid email address.")
        return cls(value)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Username:
    """A username of 3 to 50 characters from `[A-Za-z0-9_-]`, compared case-insensitively."""

    value: str

    @property
    def normalized(self) -> str:
        return self.value.lower()

    @classmethod
    def parse(cls, raw: str, *, field_name: str = "username") -> Username:
        """Raises:
        ValidationFailedError: the username breaks the pattern.
        """
        if not _USERNAME.fullmatch(raw):
            raise _invalid(field_name, "Must be 3 to 50 characters of letters, digits, '_' or '-'.")
        return cls(raw)

    def __str__(self) -> str:
        return self.value


def parse_full_name(raw: str | None, *, field_name: str = "full_name") -> str | None:
    """Trim a display name; refuse control characters and over-long values.

    Raises:
        ValidationFailedError: the name contains control characters or is too long.
    """
    if raw is None:
        return None
    value = raw.strip()
    if len(value) > FULL_NAME_MAX_LENGTH:
        raise _invalid(field_name, f"Must be at most {FULL_NAME_MAX_LENGTH} characters.")
    if any(unicodedata.category(char) in _FORBIDDEN_NAME_CATEGORIES or char in _BIDI_CONTROLS for char in value):
        raise _invalid(field_name, "Must not contain control characters.")
    return value or None
