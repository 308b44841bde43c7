"""The rules of passkeys: names, signature counters, user handles, challenges, and which methods a
login's second step offers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailedError
from domain.ids import UserId
from domain.passkeys import (
    DEFAULT_PASSKEY_NAME,
    PASSKEY_NAME_MAX_LENGTH,
    CeremonyPurpose,
    WebAuthnChallenge,
    passkey_name,
    sign_count_regressed,
    user_handle,
)
from domain.second_factor import SecondFactorMethod, login_methods

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "presented", "regressed"),
    [(0, 0, False), (0, 1, False), (5, 6, False), (5, 5, True), (5, 4, True), (5, 0, True), (0, 2**32 - 1, False)],
)
def test_a_counter_must_grow_unless_the_authenticator_keeps_none(stored: int, presented: int, regressed: bool) -> None:
    assert sign_count_regressed(stored, presented) is regressed


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=2**32 - 1))
def test_a_counter_regresses_exactly_when_it_does_not_grow_and_one_of_them_counts(stored: int, presented: int) -> None:
    assert sign_count_regressed(stored, presented) is ((stored or presented) != 0 and presented <= stored)


@pytest.mark.parametrize(
    ("given_name", "stored"),
    [(None, DEFAULT_PASSKEY_NAME), ("", DEFAULT_PASSKEY_NAME), ("   ", DEFAULT_PASSKEY_NAME), (" Laptop ", "Laptop")],
)
def test_names_are_trimmed_and_blank_means_the_default(given_name: str | None, stored: str) -> None:
    assert passkey_name(given_name) == stored


@pytest.mark.parametrize("bad", ["x" * (PASSKEY_NAME_MAX_LENGTH + 1), "Lap\x00top", "Lap\ntop", "a\u2028b"])
def test_long_names_and_control_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValidationFailedError) as raised:
        passkey_name(bad)
    assert [error.field for error in raised.value.errors] == ["name"]


def test_the_user_handle_is_the_16_bytes_of_the_account_id() -> None:
    user_id = UserId(str(uuid.uuid4()))
    assert user_handle(user_id) == uuid.UUID(user_id).bytes


def test_a_challenge_answers_once_for_its_purpose_within_five_minutes() -> None:
    challenge = WebAuthnChallenge.issue(
        handle_hash="h", purpose=CeremonyPurpose.LOGIN, challenge=b"c" * 32, user_id=None, now=NOW
    )

    assert challenge.answerable(CeremonyPurpose.LOGIN, NOW + timedelta(minutes=4, seconds=59))
    assert not challenge.answerable(CeremonyPurpose.LOGIN, NOW + timedelta(minutes=5))
    assert not challenge.answerable(CeremonyPurpose.REGISTRATION, NOW)


@pytest.mark.parametrize(
    ("totp_active", "passkeys", "methods"),
    [
        (False, 0, ()),
        (True, 0, (SecondFactorMethod.TOTP, SecondFactorMethod.RECOVERY_CODE)),
        (False, 2, (SecondFactorMethod.WEBAUTHN,)),
        (True, 1, (SecondFactorMethod.TOTP, SecondFactorMethod.RECOVERY_CODE, SecondFactorMethod.WEBAUTHN)),
    ],
)
def test_the_second_step_offers_what_the_account_has(
    totp_active: bool, passkeys: int, methods: tuple[SecondFactorMethod, ...]
) -> None:
    assert login_methods(totp_active=totp_active, passkeys=passkeys) == methods
