"""The list of common passwords shipped in `data/common-passwords.txt.gz`, read once per process."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from domain.common_passwords import CommonPasswords

COMMON_PASSWORDS_FILE = Path(__file__).with_name("data") / "common-passwords.txt.gz"


def read_common_passwords(path: Path) -> CommonPasswords:
    """The passwords of a gzip-compressed UTF-8 file, one a line (blank lines skipped)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as lines:
        return CommonPasswords.of(line.rstrip("\r\n") for line in lines)


@cache
def shipped_common_passwords() -> CommonPasswords:
    """The shipped list (100,000 passwords), read on the first call only: later calls in the
    same process share it."""
    return read_common_passwords(COMMON_PASSWORDS_FILE)
