"""PasswordPolicy: every broken rule reported at once; rules switchable; length bounded."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailedError
from domain.passwords import PasswordPolicy

STRONG = "Tr0ub4dor&3"
TOO_SHORT = "Must be at least 8 characters long."
TOO_LONG = "Must be at most 128 characters long."
NO_UPPERCASE = "Must contain an uppercase letter."
NO_LOWERCASE = "Must contain a lowercase letter."
NO_DIGIT = "Must contain a digit."
NO_SPECIAL = "Must contain a special character."
HAS_NUL = "Must not contain a NUL character."


def test_a_password_satisfying_every_rule_has_no_violations() -> None:
    assert PasswordPolicy().violations(STRONG) == []


def test_a_password_satisfying_every_rule_passes_the_check() -> None:
    PasswordPolicy().check(STRONG)


def test_a_password_breaking_every_character_rule_lists_each_broken_rule() -> None:
    assert PasswordPolicy().violations("") == [TOO_SHORT, NO_UPPERCASE, NO_LOWERCASE, NO_DIGIT, NO_SPECIAL]


def test_the_check_reports_one_field_error_per_broken_rule() -> None:
    with pytest.raises(ValidationFailedError) as caught:
        PasswordPolicy().check("", field_name="new_password")

    assert [error.field for error in caught.value.errors] == ["new_password"] * 5
    assert [error.message for error in caught.value.errors] == PasswordPolicy().violations("")


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        pytest.param("Tr0u&", [TOO_SHORT], id="short"),
        pytest.param("tr0ub4dor&3", [NO_UPPERCASE], id="no-uppercase"),
        pytest.param("TR0UB4DOR&3", [NO_LOWERCASE], id="no-lowercase"),
        pytest.param("Troubador&x", [NO_DIGIT], id="no-digit"),
        pytest.param("Tr0ub4dor33", [NO_SPECIAL], id="no-special"),
        pytest.param(STRONG + "\x00", [HAS_NUL], id="nul"),
    ],
)
def test_a_password_breaking_one_rule_lists_only_that_rule(password: str, expected: list[str]) -> None:
    assert PasswordPolicy().violations(password) == expected


@pytest.mark.parametrize(
    ("switch", "password"),
    [
        pytest.param("require_uppercase", "tr0ub4dor&3", id="uppercase"),
        pytest.param("require_lowercase", "TR0UB4DOR&3", id="lowercase"),
        pytest.param("require_digit", "Troubador&x", id="digit"),
        pytest.param("require_special", "Tr0ub4dor33", id="special"),
    ],
)
def test_a_switched_off_rule_is_not_enforced(switch: str, password: str) -> None:
    policy = PasswordPolicy(**{switch: False})

    assert policy.violations(password) == []


def test_the_minimum_length_is_configurable() -> None:
    policy = PasswordPolicy(min_length=12)

    assert policy.violations(STRONG) == ["Must be at least 12 characters long."]


def test_a_password_of_exactly_the_maximum_length_is_accepted() -> None:
    password = STRONG + "a" * (128 - len(STRONG))

    assert PasswordPolicy().violations(password) == []


def test_a_password_over_the_maximum_length_is_refused() -> None:
    password = STRONG + "a" * (129 - len(STRONG))

    assert PasswordPolicy().violations(password) == [TOO_LONG]


def test_a_megabyte_password_is_refused_for_its_length() -> None:
    assert TOO_LONG in PasswordPolicy().violations(STRONG * 100_000)


def test_a_space_counts_as_a_special_character() -> None:
    assert PasswordPolicy().violations("Tr0ub4dor 3") == []


def test_a_non_ascii_symbol_counts_as_a_special_character() -> None:
    assert PasswordPolicy().violations("Tr0ub4dor€3") == []


def test_a_nul_is_refused_even_with_every_rule_switched_off() -> None:
    policy = PasswordPolicy(
        min_length=0, require_uppercase=False, require_lowercase=False, require_digit=False, require_special=False
    )

    assert policy.violations("\x00") == [HAS_NUL]


_filler = st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=100)


@st.composite
def passwords_meeting_every_rule(draw: st.DrawFn) -> str:
    required = [
        draw(st.sampled_from(string.ascii_uppercase)),
        draw(st.sampled_from(string.ascii_lowercase)),
        draw(st.sampled_from(string.digits)),
        draw(st.sampled_from(string.punctuation + " ")),
    ]
    filler = draw(_filler)
    padding = "x" * max(0, 8 - len(required) - len(filler))
    return "".join(draw(st.permutations([*required, *filler, *padding])))


policies = st.builds(
    PasswordPolicy,
    min_length=st.integers(min_value=0, max_value=8),
    require_uppercase=st.booleans(),
    require_lowercase=st.booleans(),
    require_digit=st.booleans(),
    require_special=st.booleans(),
)


@given(passwords_meeting_every_rule(), policies)
def test_a_password_built_to_satisfy_every_rule_has_no_violations(password: str, policy: PasswordPolicy) -> None:
    assert policy.violations(password) == []


@given(st.text(max_size=300))
def test_the_check_raises_exactly_when_there_are_violations(password: str) -> None:
    policy = PasswordPolicy()
    broken = policy.violations(password)

    if not broken:
        policy.check(password)
        return
    with pytest.raises(ValidationFailedError) as caught:
        policy.check(password)
    assert [error.message for error in caught.value.errors] == broken


def test_a_lone_surrogate_is_refused_before_it_reaches_the_hasher() -> None:
    assert "Must be valid Unicode text." in PasswordPolicy().violations("Abcdef1!\ud800")
