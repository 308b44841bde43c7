"""Session: a login on one device, active until revoked or expired."""

from __future__ import annotations

from datetime import timedelta

from domain.ids import new_user_id
from domain.sessions import Session
from tests.unit.domain.conftest import NOW, a_session


def test_a_started_session_is_used_now_and_expires_after_its_ttl() -> None:
    session = Session.start(user_id=new_user_id(), now=NOW, ttl=timedelta(days=7), ip="203.0.113.7", user_agent="ua")

    assert (session.created_at, session.last_used_at, session.expires_at) == (NOW, NOW, NOW + timedelta(days=7))


def test_a_started_session_keeps_the_client_details() -> None:
    session = Session.start(user_id=new_user_id(), now=NOW, ttl=timedelta(days=7), ip="203.0.113.7", user_agent="ua")

    assert (session.ip, session.user_agent, session.revoked_at) == ("203.0.113.7", "ua", None)


def test_a_session_is_active_until_just_before_it_expires() -> None:
    session = a_session(ttl=timedelta(days=1))

    assert session.is_active(NOW + timedelta(days=1, microseconds=-1))


def test_a_session_is_inactive_from_its_expiry() -> None:
    session = a_session(ttl=timedelta(days=1))

    assert not session.is_active(NOW + timedelta(days=1))


def test_a_revoked_session_is_inactive() -> None:
    session = a_session(revoked_at=NOW)

    assert not session.is_active(NOW)


def test_sessions_get_distinct_ids() -> None:
    assert a_session().id != a_session().id
