"""SessionPolicy.judge_refresh: what presenting a refresh token means."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.sessions import RefreshVerdict, SessionPolicy
from tests.unit.domain.conftest import NOW, a_refresh_token, a_session

GRACE = timedelta(seconds=10)
POLICY = SessionPolicy(reuse_grace=GRACE)


def test_an_unused_token_of_an_active_session_is_rotated() -> None:
    session = a_session()
    token = a_refresh_token(session_id=session.id)

    assert POLICY.judge_refresh(token, session, NOW + timedelta(minutes=5)) is RefreshVerdict.ROTATE


def test_a_used_token_presented_again_at_once_is_a_replay() -> None:
    session = a_session()
    token = a_refresh_token(session_id=session.id, used_at=NOW)

    assert POLICY.judge_refresh(token, session, NOW) is RefreshVerdict.REPLAY


def test_a_used_token_presented_exactly_at_the_end_of_the_grace_window_is_a_replay() -> None:
    session = a_session()
    token = a_refresh_token(session_id=session.id, used_at=NOW)

    assert POLICY.judge_refresh(token, session, NOW + GRACE) is RefreshVerdict.REPLAY


def test_a_used_token_presented_just_after_the_grace_window_is_reuse() -> None:
    session = a_session()
    token = a_refresh_token(session_id=session.id, used_at=NOW)

    assert POLICY.judge_refresh(token, session, NOW + GRACE + timedelta(microseconds=1)) is RefreshVerdict.REUSED


def test_the_grace_window_counts_from_the_first_use_not_from_issue() -> None:
    session = a_session()
    used_at = NOW + timedelta(hours=1)
    token = a_refresh_token(session_id=session.id, used_at=used_at)

    assert POLICY.judge_refresh(token, session, used_at + GRACE) is RefreshVerdict.REPLAY


def test_with_no_grace_any_second_presentation_is_reuse_even_at_the_same_instant() -> None:
    strict = SessionPolicy(reuse_grace=timedelta(0))
    session = a_session()
    token = a_refresh_token(session_id=session.id, used_at=NOW)

    assert strict.judge_refresh(token, session, NOW) is RefreshVerdict.REUSED


def test_with_no_grace_an_unused_token_is_still_rotated() -> None:
    strict = SessionPolicy(reuse_grace=timedelta(0))
    session = a_session()
    token = a_refresh_token(session_id=session.id)

    assert strict.judge_refresh(token, session, NOW) is RefreshVerdict.ROTATE


def test_a_token_presented_at_its_expiry_is_invalid() -> None:
    session = a_session(ttl=timedelta(days=30))
    token = a_refresh_token(session_id=session.id, ttl=timedelta(days=7))

    assert POLICY.judge_refresh(token, session, NOW + timedelta(days=7)) is RefreshVerdict.INVALID


def test_a_token_presented_just_before_its_expiry_is_rotated() -> None:
    session = a_session(ttl=timedelta(days=30))
    token = a_refresh_token(session_id=session.id, ttl=timedelta(days=7))

    assert POLICY.judge_refresh(token, session, NOW + timedelta(days=7, microseconds=-1)) is RefreshVerdict.ROTATE


def test_a_used_token_presented_after_its_expiry_is_still_detected_as_reuse() -> None:
    session = a_session(ttl=timedelta(days=30))
    token = a_refresh_token(session_id=session.id, ttl=timedelta(days=7), used_at=NOW)

    assert POLICY.judge_refresh(token, session, NOW + timedelta(days=8)) is RefreshVerdict.REUSED


def test_a_token_of_a_revoked_session_is_invalid() -> None:
    session = a_session(revoked_at=NOW)
    token = a_refresh_token(session_id=session.id)

    assert POLICY.judge_refresh(token, session, NOW + timedelta(seconds=1)) is RefreshVerdict.INVALID


def test_a_used_token_of_a_revoked_session_is_invalid_rather_than_reuse() -> None:
    session = a_session(revoked_at=NOW)
    token = a_refresh_token(session_id=session.id, used_at=NOW)

    assert POLICY.judge_refresh(token, session, NOW + timedelta(hours=1)) is RefreshVerdict.INVALID


def test_a_token_of_an_expired_session_is_invalid() -> None:
    session = a_session(ttl=timedelta(days=1))
    token = a_refresh_token(session_id=session.id, ttl=timedelta(days=7))

    assert POLICY.judge_refresh(token, session, NOW + timedelta(days=1)) is RefreshVerdict.INVALID


def test_a_token_whose_session_is_missing_is_invalid() -> None:
    token = a_refresh_token()

    assert POLICY.judge_refresh(token, None, NOW) is RefreshVerdict.INVALID


def test_the_default_lifetimes_match_the_documented_defaults() -> None:
    policy = SessionPolicy()

    assert (policy.access_ttl, policy.refresh_ttl, policy.reuse_grace) == (
        timedelta(minutes=15),
        timedelta(days=7),
        timedelta(seconds=10),
    )


_grace_seconds = st.integers(min_value=1, max_value=3600)


@given(grace_s=_grace_seconds, data=st.data())
def test_a_second_presentation_within_any_positive_grace_is_a_replay(grace_s: int, data: st.DataObject) -> None:
    grace = timedelta(seconds=grace_s)
    elapsed = data.draw(st.timedeltas(min_value=timedelta(0), max_value=grace))
    session = a_session()
    token = a_refresh_token(session_id=session.id, used_at=NOW)

    assert SessionPolicy(reuse_grace=grace).judge_refresh(token, session, NOW + elapsed) is RefreshVerdict.REPLAY


@given(grace_s=st.integers(min_value=0, max_value=3600), data=st.data())
def test_a_second_presentation_after_the_grace_is_reuse(grace_s: int, data: st.DataObject) -> None:
    grace = timedelta(seconds=grace_s)
    elapsed = data.draw(st.timedeltas(min_value=grace + timedelta(microseconds=1), max_value=grace + timedelta(days=6)))
    session = a_session()
    token = a_refresh_token(session_id=session.id, used_at=NOW)

    assert SessionPolicy(reuse_grace=grace).judge_refresh(token, session, NOW + elapsed) is RefreshVerdict.REUSED


def test_a_session_ends_at_its_maximum_lifetime_however_fresh_its_refresh_token() -> None:
    policy = SessionPolicy(refresh_ttl=timedelta(days=7), max_lifetime=timedelta(days=30))
    # A session stored before the limit existed may say it runs longer: the limit still holds.
    session = a_session(created_at=NOW, ttl=timedelta(days=60))
    end = NOW + timedelta(days=30)
    token = a_refresh_token(session_id=session.id, issued_at=end - timedelta(days=1), ttl=timedelta(days=7))

    assert policy.judge_refresh(token, session, end - timedelta(seconds=1)) is RefreshVerdict.ROTATE
    assert policy.judge_refresh(token, session, end) is RefreshVerdict.INVALID


def test_refresh_tokens_never_outlive_their_session() -> None:
    policy = SessionPolicy(refresh_ttl=timedelta(days=7), max_lifetime=timedelta(days=30))
    session = a_session(created_at=NOW)

    assert policy.refresh_expiry(session, NOW + timedelta(days=1)) == NOW + timedelta(days=8)
    assert policy.refresh_expiry(session, NOW + timedelta(days=27)) == NOW + timedelta(days=30)
