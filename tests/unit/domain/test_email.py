"""Email.parse: the shape of an address and its case-insensitive identity."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.account_values import EMAIL_MAX_LENGTH, Email
from domain.errors import ValidationFailedError

_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
_atoms = st.text(alphabet=_ATEXT, min_size=1, max_size=12)
_local_parts = st.lists(_atoms, min_size=1, max_size=4).map(".".join)
_labels = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,10}[A-Za-z0-9])?", fullmatch=True)
_domains = st.lists(_labels, min_size=2, max_size=4).map(".".join)
valid_emails = st.builds(lambda local, domain: f"{local}@{domain}", _local_parts, _domains)


@pytest.mark.parametrize(
    "raw",
    [
        "ada@example.org",
        "Ada.Lovelace@Example.ORG",
        "ada+tag@mail.example.co.uk",
        "o'hara@example.ie",
        "a_b-c@sub-domain.example.com",
        "1234@123.example",
    ],
)
def test_a_well_formed_address_is_accepted_as_typed(raw: str) -> None:
    assert Email.parse(raw).value == raw


def test_addresses_differing_only_in_case_have_the_same_normalized_form() -> None:
    assert Email.parse("Ada@Example.ORG").normalized == Email.parse("ada@example.org").normalized


def test_the_typed_case_is_kept_for_display() -> None:
    assert str(Email.parse("Ada@Example.ORG")) == "Ada@Example.ORG"


def test_surrounding_spaces_are_stripped() -> None:
    assert Email.parse("  ada@example.org \t").value == "ada@example.org"


def test_an_address_of_exactly_the_maximum_length_is_accepted() -> None:
    raw = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61
    assert len(raw) == EMAIL_MAX_LENGTH

    assert Email.parse(raw).value == raw


def test_an_address_longer_than_254_characters_is_refused() -> None:
    raw = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 62
    assert len(raw) == EMAIL_MAX_LENGTH + 1

    with pytest.raises(ValidationFailedError):
        Email.parse(raw)


def test_a_local_part_longer_than_64_characters_is_refused() -> None:
    with pytest.raises(ValidationFailedError):
        Email.parse("a" * 65 + "@example.org")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("ada.example.org", id="missing-at"),
        pytest.param("@example.org", id="empty-local"),
        pytest.param("ada@", id="empty-domain"),
        pytest.param("ada@localhost", id="undotted-domain"),
        pytest.param("ada@@example.org", id="two-ats"),
        pytest.param("a@b@example.org", id="at-in-local"),
    ],
)
def test_an_address_without_a_local_part_an_at_and_a_dotted_domain_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailedError):
        Email.parse(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("ada lovelace@example.org", id="space-in-local"),
        pytest.param("ada@exa mple.org", id="space-in-domain"),
        pytest.param("ada\x00@example.org", id="nul"),
        pytest.param("ada@example.org\x00x", id="nul-in-domain"),
        pytest.param("ada\n@example.org", id="newline-before-at"),
        pytest.param("ada\r\nBcc: eve@example.org", id="header-injection"),
        pytest.param("ada\t@example.org", id="tab"),
        pytest.param("ada\x7f@example.org", id="del"),
        pytest.param("ad\x1ba@example.org", id="escape"),
    ],
)
def test_an_address_with_spaces_or_control_characters_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailedError):
        Email.parse(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("adé@example.org", id="accented-local"),
        pytest.param("ada@exämple.org", id="accented-domain"),
        pytest.param("\u0430da@example.org", id="cyrillic-homoglyph"),
        pytest.param("😀@example.org", id="emoji"),
        pytest.param("ada@example.org\u202e", id="bidi-override"),
        pytest.param("ada\u200b@example.org", id="zero-width-space"),
        pytest.param("\uff41\uff44\uff41@example.org", id="fullwidth"),
    ],
)
def test_an_address_with_non_ascii_characters_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailedError):
        Email.parse(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("ada..lovelace@example.org", id="double-dot-local"),
        pytest.param(".ada@example.org", id="leading-dot-local"),
        pytest.param("ada.@example.org", id="trailing-dot-local"),
        pytest.param("ada@example..org", id="double-dot-domain"),
        pytest.param("ada@.example.org", id="leading-dot-domain"),
        pytest.param("ada@example.org.", id="trailing-dot-domain"),
        pytest.param("ada@-example.org", id="label-starting-with-hyphen"),
        pytest.param("ada@example-.org", id="label-ending-with-hyphen"),
    ],
)
def test_an_address_with_misplaced_dots_or_hyphens_is_refused(raw: str) -> None:
    with pytest.raises(ValidationFailedError):
        Email.parse(raw)


def test_a_domain_label_longer_than_63_characters_is_refused() -> None:
    with pytest.raises(ValidationFailedError):
        Email.parse("ada@" + "b" * 64 + ".org")


def test_the_refusal_names_the_field_it_was_given() -> None:
    with pytest.raises(ValidationFailedError) as caught:
        Email.parse("nope", field_name="new_email")

    assert [error.field for error in caught.value.errors] == ["new_email"]


def test_the_refusal_does_not_echo_the_input() -> None:
    with pytest.raises(ValidationFailedError) as caught:
        Email.parse("<script>@example.org")

    assert all("<script>" not in error.message for error in caught.value.errors)


@given(valid_emails)
def test_every_well_formed_address_is_accepted(raw: str) -> None:
    assert Email.parse(raw).value == raw


@given(valid_emails)
def test_the_normalized_form_of_an_accepted_address_is_lowercase(raw: str) -> None:
    email = Email.parse(raw)

    assert email.normalized == email.normalized.lower()
    assert email.normalized == raw.lower()


@given(st.one_of(valid_emails, valid_emails.map(lambda raw: f"  {raw.upper()}\t"), st.text()))
def test_parsing_an_accepted_address_again_gives_the_same_address(raw: str) -> None:
    try:
        email = Email.parse(raw)
    except ValidationFailedError:
        return

    assert Email.parse(email.value) == email
    assert email.normalized == email.normalized.lower()


@given(st.text())
def test_arbitrary_text_is_either_accepted_or_refused_with_a_validation_error(raw: str) -> None:
    try:
        email = Email.parse(raw)
    except ValidationFailedError:
        return

    assert email.value.isascii()
    assert len(email.value) <= EMAIL_MAX_LENGTH
