"""Builders for the domain unit tests: plain functions with sensible defaults, no doubles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.account_values import Email, Username
from domain.accounts import User
from domain.ids import SessionId, UserId, new_session_id, new_user_id
from domain.opaque_tokens import hash_token
from domain.sessions import RefreshToken, Session

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def a_user(
    *,
    email: str = "ada@example.org",
    username: str = "ada",
    full_name: str | None = "Ada Lovelace",
    hashed_password: str = "$memory$not-a-real-hash",
    now: datetime = NOW,
) -> User:
    return User.register(
        email=Email.parse(email),
        username=Username.parse(username),
        full_name=full_name,
        hashed_password=hashed_password,
        now=now,
    )


def a_session(
    *,
    user_id: UserId | None = None,
    created_at: datetime = NOW,
    ttl: timedelta = timedelta(days=7),
    revoked_at: datetime | None = None,
) -> Session:
    session = Session.start(
        user_id=user_id or new_user_id(), now=created_at, ttl=ttl, ip="203.0.113.7", user_agent="pytest"
    )
    session.revoked_at = revoked_at
    return session


def a_refresh_token(
    *,
    session_id: SessionId | None = None,
    user_id: UserId | None = None,
    issued_at: datetime = NOW,
    ttl: timedelta = timedelta(days=7),
    used_at: datetime | None = None,
    value: str = "an-opaque-refresh-token",
) -> RefreshToken:
    return RefreshToken(
        token_hash=hash_token(value),
        session_id=session_id or new_session_id(),
        user_id=user_id or new_user_id(),
        issued_at=issued_at,
        expires_at=issued_at + ttl,
        used_at=used_at,
    )
