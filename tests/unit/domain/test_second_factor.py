"""The second factor and the MFA challenge: drift, replay, recovery codes, tries and lifetime."""

from __future__ import annotations

import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.ids import new_user_id
from domain.second_factor import (
    AMR_RECOVERY_CODE,
    AMR_TOTP,
    MFA_CHALLENGE_MAX_TRIES,
    MFA_CHALLENGE_TTL,
    RECOVERY_CODE_COUNT,
    MfaChallenge,
    RecoveryCode,
    SecondFactor,
    SecondFactorMethod,
    TotpState,
    amr_after,
    method_of_code,
    new_recovery_codes,
    recovery_code_shape,
    totp_code_shape,
    totp_step,
)

# The start of a 30-second step: step 59_000_000.
NOW = datetime.fromtimestamp(59_000_000 * 30, UTC)
STEP = totp_step(NOW)


def code_at(step: int) -> str:
    """A stand-in for RFC 6238: a distinct six-digit code per step."""
    return f"{step % 1_000_000:06d}"


def an_active_factor(*, last_step: int | None = None, codes: tuple[RecoveryCode, ...] = ()) -> SecondFactor:
    factor = SecondFactor.begin(user_id=new_user_id(), sealed_secret="sealed", now=NOW)
    factor.confirm(STEP - 10, [], NOW)
    factor.last_step = last_step
    factor.recovery_codes = codes
    return factor


def test_a_begun_factor_is_pending_without_codes() -> None:
    factor = SecondFactor.begin(user_id=new_user_id(), sealed_secret="sealed", now=NOW)

    assert (factor.state, factor.is_active, factor.recovery_codes, factor.last_step) == (
        TotpState.PENDING,
        False,
        (),
        None,
    )


def test_confirming_activates_it_with_the_step_of_its_code_and_the_codes() -> None:
    factor = SecondFactor.begin(user_id=new_user_id(), sealed_secret="sealed", now=NOW)

    factor.confirm(STEP, ["h1", "h2"], NOW)

    assert factor.is_active
    assert (factor.last_step, factor.confirmed_at) == (STEP, NOW)
    assert factor.recovery_codes_left == 2


def test_the_code_of_the_current_step_is_accepted() -> None:
    assert an_active_factor().accepted_step(code_at(STEP), NOW, code_at) == STEP


@pytest.mark.parametrize("drift", [-1, 1])
def test_one_step_of_drift_either_way_is_accepted(drift: int) -> None:
    assert an_active_factor().accepted_step(code_at(STEP + drift), NOW, code_at) == STEP + drift


@pytest.mark.parametrize("drift", [-2, 2])
def test_two_steps_of_drift_are_refused(drift: int) -> None:
    assert an_active_factor().accepted_step(code_at(STEP + drift), NOW, code_at) is None


def test_a_code_of_the_last_accepted_step_is_refused_within_its_30_seconds() -> None:
    factor = an_active_factor(last_step=STEP)

    assert factor.accepted_step(code_at(STEP), NOW + timedelta(seconds=10), code_at) is None


def test_a_code_of_a_step_before_the_last_accepted_is_refused() -> None:
    assert an_active_factor(last_step=STEP).accepted_step(code_at(STEP - 1), NOW, code_at) is None


def test_a_code_after_the_last_accepted_step_is_accepted() -> None:
    assert an_active_factor(last_step=STEP).accepted_step(code_at(STEP + 1), NOW, code_at) == STEP + 1


@pytest.mark.parametrize(
    "code",
    [
        "",
        "12345",
        "1234567",
        "abcdef",
        "\u0661\u0662\u0663\u0664\u0665\u0666",
        "12 34 5",
        "9" * 10_000,
        "123456\x00",
        "-12345",
    ],
)
def test_malformed_codes_are_refused_without_error(code: str) -> None:
    assert an_active_factor().accepted_step(code, NOW, lambda step: code) is None


def test_spaces_in_a_code_are_ignored() -> None:
    digits = code_at(STEP)

    assert an_active_factor().accepted_step(f" {digits[:3]} {digits[3:]} ", NOW, code_at) == STEP


def test_an_unused_recovery_code_is_found_by_its_hash() -> None:
    factor = an_active_factor(codes=(RecoveryCode(code_hash="a"), RecoveryCode(code_hash="b")))

    assert factor.unused_recovery_code("b") == RecoveryCode(code_hash="b")


def test_a_used_recovery_code_is_not_found() -> None:
    factor = an_active_factor(codes=(RecoveryCode(code_hash="a", used_at=NOW),))

    assert factor.unused_recovery_code("a") is None
    assert factor.recovery_codes_left == 0


def test_replacing_recovery_codes_drops_the_old_set() -> None:
    factor = an_active_factor(codes=(RecoveryCode(code_hash="a"),))

    factor.replace_recovery_codes(["x", "y"])

    assert factor.unused_recovery_code("a") is None
    assert [code.code_hash for code in factor.recovery_codes] == ["x", "y"]


def test_new_recovery_codes_are_ten_distinct_codes_of_the_recovery_shape() -> None:
    codes = new_recovery_codes()

    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    assert all(recovery_code_shape(code) == code.replace("-", "") for code in codes)
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)


@pytest.mark.parametrize(
    ("given", "canonical"),
    [("ABCD-EFGH-2345", "abcdefgh2345"), (" abcd efgh 2345 ", "abcdefgh2345"), ("abcdefgh2345", "abcdefgh2345")],
)
def test_recovery_codes_are_read_ignoring_case_spaces_and_dashes(given: str, canonical: str) -> None:
    assert recovery_code_shape(given) == canonical


@pytest.mark.parametrize(
    "code", ["abcd-efgh-234", "abcd-efgh-2341", "abcd-efgh-23456", "\uff41bcd-efgh-2345", "x" * 100]
)
def test_other_text_is_no_recovery_code(code: str) -> None:
    assert recovery_code_shape(code) is None


def test_totp_code_shape_takes_six_ascii_digits_only() -> None:
    assert (
        totp_code_shape("012345"),
        totp_code_shape("\uff10\uff11\uff12\uff13\uff14\uff15"),
        totp_code_shape("12345a"),
    ) == (
        "012345",
        None,
        None,
    )


def test_a_code_is_judged_a_totp_code_by_its_shape() -> None:
    assert (method_of_code("123456"), method_of_code("abcd-efgh-2345")) == (
        SecondFactorMethod.TOTP,
        SecondFactorMethod.RECOVERY_CODE,
    )


def test_a_challenge_lives_five_minutes() -> None:
    challenge = MfaChallenge.open(token_hash="h", user_id=new_user_id(), now=NOW)

    assert challenge.expires_at - challenge.created_at == MFA_CHALLENGE_TTL == timedelta(minutes=5)
    assert challenge.may_try(NOW + MFA_CHALLENGE_TTL - timedelta(microseconds=1))
    assert not challenge.may_try(NOW + MFA_CHALLENGE_TTL)


def test_a_challenge_allows_five_tries() -> None:
    challenge = MfaChallenge.open(token_hash="h", user_id=new_user_id(), now=NOW)

    assert MFA_CHALLENGE_MAX_TRIES == 5
    assert replace(challenge, tries=4).may_try(NOW)
    assert not replace(challenge, tries=5).may_try(NOW)


def test_a_used_challenge_allows_no_try() -> None:
    challenge = MfaChallenge.open(token_hash="h", user_id=new_user_id(), now=NOW)

    assert not replace(challenge, used_at=NOW).may_try(NOW)


def test_amr_values_follow_rfc_8176() -> None:
    assert amr_after(SecondFactorMethod.TOTP) == AMR_TOTP == ("pwd", "otp", "mfa")
    assert amr_after(SecondFactorMethod.RECOVERY_CODE) == AMR_RECOVERY_CODE == ("pwd", "mfa")


def _recording_compare_digest(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every call of `hmac.compare_digest` from now on (still answered by the real one)."""
    calls: list[object] = []
    real = hmac.compare_digest

    def recording(left: Any, right: Any) -> bool:
        calls.append(left)
        return real(left, right)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    return calls


def test_every_candidate_step_is_compared_in_constant_time_even_after_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _recording_compare_digest(monkeypatch)

    assert an_active_factor().accepted_step(code_at(STEP - 1), NOW, code_at) == STEP - 1

    assert len(calls) == 3


def test_every_stored_recovery_code_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    factor = an_active_factor(codes=tuple(RecoveryCode(code_hash=name) for name in ("a", "b", "c", "d")))
    calls = _recording_compare_digest(monkeypatch)

    assert factor.unused_recovery_code("a") is not None

    assert len(calls) == 4
