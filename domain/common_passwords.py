"""Common passwords: the form under which a password is compared with a list of commonly used ones.

A list of common passwords catches more than its exact entries once both sides are compared in
one form, `common_form`:

- NFC, then case folded: `PASSWORD` is `password`;
- trailing digits, symbols and spaces dropped: `password123!` is `password`;
- the usual character swaps undone: `p@ssw0rd` is `password`, `$3cr3t` is `secret`; `1`, `!`, `|`,
  `i` and `l` all become one letter, so `adm1n` and `admin` meet whichever the list spells. A
  password is also tried with the first one or two characters of its tail kept and swapped, so
  that `secre7!` meets `secret`.

A password with fewer than `MIN_STEM` letters left once its tail is dropped (`12345678`, `ab1234`)
is compared whole instead (NFC and case folded only), so a short stem alone never refuses a
password that merely starts with it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

MIN_STEM = 3
MAX_SWAPPED_TAIL = 2

_SWAPS = str.maketrans(
    {
        "0": "o",
        "1": "l",
        "!": "l",
        "|": "l",
        "i": "l",
        "2": "z",
        "3": "e",
        "4": "a",
        "@": "a",
        "5": "s",
        "$": "s",
        "6": "g",
        "7": "t",
        "+": "t",
        "8": "b",
        "9": "g",
    }
)
# Whole-password forms carry this mark, so that they never meet a stem form.
_WHOLE = "="


def _stem_end(folded: str) -> int:
    """Where the trailing run of characters that are not letters starts."""
    end = len(folded)
    while end and not folded[end - 1].isalpha():
        end -= 1
    return end


def common_form(password: str) -> str:
    """The form a listed password is kept under (the module docstring has the rules)."""
    folded = unicodedata.normalize("NFC", password).casefold()
    stem = folded[: _stem_end(folded)]
    if len(stem) < MIN_STEM:
        return _WHOLE + folded
    return stem.translate(_SWAPS)


def candidate_forms(password: str) -> Iterator[str]:
    """The forms under which `password` may be listed: whole, and its stem with none, one or two
    characters of its tail kept, since a swapped last letter (`secre7`) looks like a tail."""
    folded = unicodedata.normalize("NFC", password).casefold()
    yield _WHOLE + folded
    end = _stem_end(folded)
    for cut in range(max(end, MIN_STEM), min(len(folded), end + MAX_SWAPPED_TAIL) + 1):
        yield folded[:cut].translate(_SWAPS)


@dataclass(frozen=True, slots=True)
class CommonPasswords:
    """A list of commonly used passwords, kept as the set of their `common_form`s.

    `password in common` tells whether a password is one of them in another spelling. The
    empty default refuses nothing.
    """

    forms: frozenset[str] = field(default=frozenset(), repr=False)

    @classmethod
    def of(cls, passwords: Iterable[str]) -> CommonPasswords:
        """The list of `passwords`; empty entries are skipped."""
        return cls(frozenset(common_form(password) for password in passwords if password))

    def __contains__(self, password: object) -> bool:
        return isinstance(password, str) and any(form in self.forms for form in candidate_forms(password))
