"""The shipped list of common passwords: 100,000 of them, read once per process, refusing the usual
variations of common passwords and none of the strong ones the test suite uses."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from adapters.wordlists.common_passwords import (
    COMMON_PASSWORDS_FILE,
    read_common_passwords,
    shipped_common_passwords,
)

# The SHA-256 of the uncompressed file, as its README states it.
SHA256 = "84f9f01da3323b41cdc030f89f7fab65bf76a7e0d5265acabb715c2b3795f148"


def test_the_shipped_file_is_the_stated_list_of_100000_distinct_passwords() -> None:
    content = gzip.decompress(COMMON_PASSWORDS_FILE.read_bytes())
    assert hashlib.sha256(content).hexdigest() == SHA256
    passwords = content.decode().splitlines()
    assert len(passwords) == len(set(passwords)) == 100_000
    assert all(passwords)
    assert SHA256 in (COMMON_PASSWORDS_FILE.parent / "README.md").read_text()


def test_the_list_is_read_once_per_process() -> None:
    assert shipped_common_passwords() is shipped_common_passwords()


@pytest.mark.parametrize(
    "password", ["Password123!", "Passw0rd!", "Qwerty123!", "Welcome1!", "P@ssw0rd2024", "Summer2024!", "iloveyou1"]
)
def test_common_passwords_in_their_usual_variations_are_refused(password: str) -> None:
    assert password in shipped_common_passwords()


@pytest.mark.parametrize(
    "password",
    [
        "Correct-Horse-9",
        "Tr0ub4dor&3",
        "Another-Horse-7",
        "Bench-Password-1!",
        "q3Zr9-Vt_LkP0aWx7Ny2Bc5Hd8Fg1Js4Mu6Eo",
        "correct horse battery staple",
        "purple-monkey-dishwasher",
    ],
)
def test_strong_passwords_are_not_common(password: str) -> None:
    assert password not in shipped_common_passwords()


def test_any_gzip_file_of_one_password_a_line_can_be_read(tmp_path: Path) -> None:
    path = tmp_path / "list.txt.gz"
    path.write_bytes(gzip.compress("hunter\r\n\ncafé\n".encode()))
    common = read_common_passwords(path)
    assert "Hunter2!" in common
    assert "CAFÉ" in common
    assert "" not in common
