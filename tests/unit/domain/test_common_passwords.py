"""Common passwords: case, character swaps and trailing digits or symbols do not hide a listed password;
NFC applies; short stems compare whole; a password policy refuses what its list holds."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.common_passwords import CommonPasswords, common_form
from domain.passwords import COMMON_PASSWORD, PasswordPolicy

LISTED = ["password", "qwerty", "welcome", "dragon", "admin", "secret", "123456", "ab1234", "café"]
COMMON = CommonPasswords.of(LISTED)
# Swaps a person makes when a site asks for a digit or a symbol.
SWAPS = {"o": "0", "l": "1", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7"}
SYMBOL_SWAPS = {"a": "@", "s": "$", "i": "!"}
TAILS = st.text(alphabet="0123456789!@#$%^&*()-_=+.?", max_size=6)


@pytest.mark.parametrize(
    "password",
    ["Password123!", "Passw0rd!", "Qwerty123!", "Welcome1!", "P@$$w0rd", "PASSWORD", "dr4g0n2024", "adm1n!", "$3cr3t#"],
)
def test_a_listed_password_in_another_spelling_is_common(password: str) -> None:
    assert password in COMMON


@pytest.mark.parametrize(
    "password",
    ["Correct-Horse-9", "Tr0ub4dor&3", "Wrong-Pass-1", "q3Zr9-Vt_LkP0aWx7Ny2Bc5Hd8Fg1Js4Mu6Eo", "password-manager"],
)
def test_a_password_that_only_contains_or_resembles_a_listed_one_is_not_common(password: str) -> None:
    assert password not in COMMON


def test_a_short_stem_is_compared_whole_so_it_never_refuses_a_longer_password() -> None:
    # "ab1234" is listed, but its stem "ab" is too short to stand for it alone.
    assert common_form("ab1234") == "=ab1234"
    assert "AB1234" in COMMON
    assert "ab9876!" not in COMMON
    assert "123456" in COMMON
    assert "123456!" not in COMMON


def test_a_decomposed_password_meets_its_precomposed_entry() -> None:
    decomposed = unicodedata.normalize("NFD", "Café2024!")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert decomposed in COMMON


def test_the_empty_list_holds_nothing_and_empty_entries_are_skipped() -> None:
    assert "password" not in CommonPasswords()
    assert CommonPasswords.of(["", "x"]).forms == frozenset({"=x"})


@given(
    word=st.sampled_from([word for word in LISTED if word.isalpha() and len(word) >= 5]),
    upper=st.lists(st.booleans(), min_size=8, max_size=8),
    swap=st.lists(st.booleans(), min_size=8, max_size=8),
    tail=TAILS,
)
def test_any_casing_swapping_and_tail_of_a_listed_password_is_common(
    word: str, upper: list[bool], swap: list[bool], tail: str
) -> None:
    table = {**SWAPS, **SYMBOL_SWAPS}
    spelled = "".join(
        table.get(char, char) if swapped else (char.upper() if capital else char)
        for char, capital, swapped in zip(word, upper, swap, strict=False)
    )
    assert spelled + tail in COMMON


@given(st.text(min_size=1, max_size=30))
def test_the_form_ignores_case_and_normalisation(password: str) -> None:
    assert common_form(password.upper().lower()) == common_form(unicodedata.normalize("NFD", password.upper().lower()))


def test_a_policy_with_a_list_refuses_its_passwords_after_the_other_rules() -> None:
    policy = PasswordPolicy(common=COMMON)
    assert policy.violations("Password123!") == [COMMON_PASSWORD]
    assert policy.violations("qwerty") == [*PasswordPolicy().violations("qwerty"), COMMON_PASSWORD]
    assert policy.violations("Correct-Horse-9") == []


def test_the_policy_counts_length_on_the_nfc_form() -> None:
    decomposed = unicodedata.normalize("NFD", "Éé1!Éé1!")  # 8 characters in NFC, 12 in NFD
    assert len(decomposed) == 12
    assert PasswordPolicy(min_length=8, max_length=8).violations(decomposed) == []
