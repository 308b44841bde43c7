"""Builders of domain objects with sensible defaults; every keyword overrides one field.

Defaults are unique per call (ids, emails, usernames, token hashes), so builders can be called
freely in one test, and every datetime is aware UTC around `NOW`.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.crypto.token_sealer import AeadTokenSealer
from application.unit_of_work import UnitOfWork
from domain.account_values import Email, Username
from domain.accounts import Role, User
from domain.audit import AuditEvent, AuditEventType
from domain.ids import new_session_id, new_user_id
from domain.mail import MailMessage
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.opaque_tokens import hash_token
from domain.ports.token_sealer import TokenSealer
from domain.sessions import RefreshToken, Session
from domain.tasks import Task, TaskId

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SESSION_TTL = timedelta(days=7)
ONE_TIME_TOKEN_TTL = timedelta(hours=1)


def a_user(**overrides: Any) -> User:
    """A user; `email` and `username` may be given as plain strings."""
    suffix = uuid.uuid4().hex[:12]
    fields: dict[str, Any] = {
        "id": new_user_id(),
        "email": Email(f"user-{suffix}@example.org"),
        "username": Username(f"user_{suffix}"),
        "full_name": "Ada Lovelace",
        "hashed_password": "$memory$" + "0" * 64,
        "roles": frozenset({Role.USER}),
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(overrides)
    if isinstance(fields["email"], str):
        fields["email"] = Email.parse(fields["email"])
    if isinstance(fields["username"], str):
        fields["username"] = Username.parse(fields["username"])
    return User(**fields)


def a_session(user: User, **overrides: Any) -> Session:
    """An active session of `user`, created at `NOW` and expiring a week later."""
    fields: dict[str, Any] = {
        "id": new_session_id(),
        "user_id": user.id,
        "created_at": NOW,
        "last_used_at": NOW,
        "expires_at": NOW + SESSION_TTL,
        "ip": "203.0.113.7",
        "user_agent": "pytest",
    }
    fields.update(overrides)
    return Session(**fields)


def a_refresh_token(session: Session, **overrides: Any) -> RefreshToken:
    """An unused refresh token of `session` with a random hash, issued at `NOW`."""
    fields: dict[str, Any] = {
        "token_hash": hash_token(secrets.token_urlsafe(32)),
        "session_id": session.id,
        "user_id": session.user_id,
        "issued_at": NOW,
        "expires_at": NOW + SESSION_TTL,
    }
    fields.update(overrides)
    return RefreshToken(**fields)


def a_one_time_token(user: User, **overrides: Any) -> OneTimeToken:
    """An unused password-reset token of `user` with a random hash, created at `NOW`, valid for an hour."""
    fields: dict[str, Any] = {
        "token_hash": hash_token(secrets.token_urlsafe(32)),
        "user_id": user.id,
        "purpose": TokenPurpose.PASSWORD_RESET,
        "created_at": NOW,
        "expires_at": NOW + ONE_TIME_TOKEN_TTL,
    }
    fields.update(overrides)
    return OneTimeToken(**fields)


def a_mail_message(**overrides: Any) -> MailMessage:
    """A plain-text message with a unique subject to a unique recipient."""
    suffix = uuid.uuid4().hex[:12]
    fields: dict[str, Any] = {
        "to": f"user-{suffix}@example.org",
        "subject": f"Reset your password ({suffix})",
        "text": f"Open https://bastion.example/reset#{suffix} within the hour.",
    }
    fields.update(overrides)
    return MailMessage(**fields)


def a_task(owner: User, **overrides: Any) -> Task:
    """An open task of `owner` with a unique id and title, created and updated at `NOW`."""
    suffix = uuid.uuid4().hex[:12]
    fields: dict[str, Any] = {
        "id": TaskId(str(uuid.uuid4())),
        "owner_id": owner.id,
        "title": f"Write the report ({suffix})",
        "description": "Two pages, with figures.",
        "completed": False,
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(overrides)
    return Task(**fields)


def an_audit_event(**overrides: Any) -> AuditEvent:
    """A `login.succeeded` event of no particular user with a unique id, at `NOW`, with a little data."""
    fields: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "type": AuditEventType.LOGIN_SUCCEEDED,
        "user_id": None,
        "ip": "203.0.113.7",
        "user_agent": "pytest",
        "created_at": NOW,
        "data": {"method": "password"},
    }
    fields.update(overrides)
    return AuditEvent(**fields)


OMITTED: Any = object()


def access_token_claims(
    *, issuer: str, audience: str, issued_at: int, lifetime: int, **overrides: Any
) -> dict[str, Any]:
    """The claims of a valid access token (as `AccessTokenProfile.payload` builds them) with `overrides`; a claim
    overridden with `OMITTED` is left out."""
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": "user-1",
        "sid": "session-1",
        "jti": "token-1",
        "roles": ["user"],
        "amr": ["pwd"],
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + lifetime,
    }
    return {name: value for name, value in (claims | overrides).items() if value is not OMITTED}


def a_mail_sealer() -> TokenSealer:
    """The sealer of mailed tokens, under a fixed test key."""
    return AeadTokenSealer(b"a test secret key of at least thirty-two bytes", "outbox link token")


async def a_stored_user(uow: UnitOfWork, **overrides: Any) -> User:
    """`a_user(**overrides)`, added and committed in a transaction of its own on `uow`."""
    user = a_user(**overrides)
    async with uow as tx:
        await tx.users.add(user)
        await tx.commit()
    return user
