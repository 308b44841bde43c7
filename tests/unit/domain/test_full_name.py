"""parse_full_name: an optional display name, trimmed, bounded and free of control characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.account_values import FULL_NAME_MAX_LENGTH, parse_full_name
from domain.errors import ValidationFailedError


def test_surrounding_whitespace_is_trimmed() -> None:
    assert parse_full_name("  Ada Lovelace\t") == "Ada Lovelace"


def test_no_name_stays_no_name() -> None:
    assert parse_full_name(None) is None


def test_a_blank_name_becomes_no_name() -> None:
    assert parse_full_name("   ") is None


@pytest.mark.parametrize("raw", ["Zoë Ñúñez", "李小龍", "Jean-Luc O'Neill", "\u02bbOumuamua"])
def test_names_in_any_script_are_accepted(raw: str) -> None:
    assert parse_full_name(raw) == raw


def test_a_name_of_exactly_the_maximum_length_is_accepted() -> None:
    assert parse_full_name("a" * FULL_NAME_MAX_LENGTH) == "a" * FULL_NAME_MAX_LENGTH


def test_the_length_bound_applies_after_trimming() -> None:
    assert parse_full_name("  " + "a" * FULL_NAME_MAX_LENGTH + "  ") == "a" * FULL_NAME_MAX_LENGTH


def test_a_name_over_the_maximum_length_is_refused() -> None:
    with pytest.raises(ValidationFailedError):
        parse_full_name("a" * (FULL_NAME_MAX_LENGTH + 1))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("Ada\x00Lovelace", id="nul"),
        pytest.param("Ada\nLovelace", id="newline"),
        pytest.param("Ada\tLovelace", id="tab"),
        pytest.param("Ada\x1b[31mLovelace", id="ansi-escape"),
        pytest.param("Ada\x7f", id="del"),
        pytest.param("Ada\x85Lovelace", id="c1-next-line"),
    ],
)
def test_a_name_with_control_characters_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailedError):
        parse_full_name(raw)


def test_the_refusal_names_the_field_it_was_given() -> None:
    with pytest.raises(ValidationFailedError) as caught:
        parse_full_name("a\x00", field_name="profile.full_name")

    assert [error.field for error in caught.value.errors] == ["profile.full_name"]


@given(st.text())
def test_arbitrary_text_is_either_a_trimmed_bounded_name_or_a_validation_error(raw: str) -> None:
    try:
        name = parse_full_name(raw)
    except ValidationFailedError:
        return

    assert name is None or (name == name.strip() and 0 < len(name) <= FULL_NAME_MAX_LENGTH)


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u2028", "\u2029", "\u200f"])
def test_bidi_controls_and_line_separators_are_refused(char: str) -> None:
    with pytest.raises(ValidationFailedError):
        parse_full_name(f"Ada{char}Lovelace")
