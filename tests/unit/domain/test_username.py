"""Username.parse: 3 to 50 characters of [A-Za-z0-9_-], compared case-insensitively."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.account_values import Username
from domain.errors import ValidationFailedError

_PATTERN = r"[A-Za-z0-9_-]{3,50}"
valid_usernames = st.from_regex(_PATTERN, fullmatch=True)


@pytest.mark.parametrize("raw", ["ada", "Ada_Lovelace-1815", "___", "---", "a" * 50, "007"])
def test_a_username_matching_the_pattern_is_accepted_as_typed(raw: str) -> None:
    assert Username.parse(raw).value == raw


def test_usernames_differing_only_in_case_have_the_same_normalized_form() -> None:
    assert Username.parse("Ada_L").normalized == Username.parse("ada_l").normalized == "ada_l"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("ab", id="two-characters"),
        pytest.param("a" * 51, id="fifty-one-characters"),
        pytest.param("ada lovelace", id="inner-space"),
        pytest.param(" ada", id="leading-space"),
        pytest.param("ada ", id="trailing-space"),
        pytest.param("ada@example.org", id="at-sign"),
        pytest.param("ada.lovelace", id="dot"),
        pytest.param("adé", id="accented"),
        pytest.param("\u0430da", id="cyrillic-homoglyph"),
        pytest.param("ada\x00", id="nul"),
        pytest.param("ada\n", id="trailing-newline"),
        pytest.param("ada\nmin", id="inner-newline"),
        pytest.param("é" * 10_000, id="huge-unicode"),
        pytest.param("😀" * 20, id="emoji"),
        pytest.param("\uff41\uff44\uff41", id="fullwidth"),
    ],
)
def test_a_username_breaking_the_pattern_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailedError):
        Username.parse(raw)


def test_the_refusal_names_the_field_it_was_given() -> None:
    with pytest.raises(ValidationFailedError) as caught:
        Username.parse("x", field_name="new_username")

    assert [error.field for error in caught.value.errors] == ["new_username"]


@given(valid_usernames)
def test_every_username_matching_the_pattern_is_accepted_with_a_lowercase_normalized_form(raw: str) -> None:
    username = Username.parse(raw)

    assert username.value == raw
    assert username.normalized == raw.lower()


@given(st.one_of(valid_usernames, st.text(), st.text(min_size=40, max_size=80)))
def test_arbitrary_text_is_accepted_exactly_when_it_matches_the_pattern(raw: str) -> None:
    if re.fullmatch(_PATTERN, raw, flags=re.ASCII) is not None:
        assert Username.parse(raw).value == raw
    else:
        with pytest.raises(ValidationFailedError):
            Username.parse(raw)
