"""Explicit conversions between table rows and domain objects; the domain stays free of SQLAlchemy.

Datetimes need no work here: the `UtcDateTime` column type of `tables.py` already binds them as
UTC and returns them aware in UTC, on SQLite (naive text) as on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from domain.account_values import Email, Username
from domain.accounts import Role, User
from domain.audit import AuditData, AuditEvent, AuditEventType
from domain.ids import SessionId, UserId
from domain.mail import MailMessage, OutboxEntry, OutboxKind, OutboxMessage, kind_of
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.passkeys import CeremonyPurpose, Passkey, PasskeyId, WebAuthnChallenge
from domain.second_factor import MfaChallenge, RecoveryCode, SecondFactor, TotpState
from domain.sessions import RefreshToken, Session
from domain.tasks import Task, TaskId
from domain.webhooks import WebhookMessage

_ROLE_SEPARATOR = ","


def roles_to_column(roles: frozenset[Role]) -> str:
    return _ROLE_SEPARATOR.join(sorted(role.value for role in roles))


def roles_from_column(value: str) -> frozenset[Role]:
    return frozenset(Role(name) for name in value.split(_ROLE_SEPARATOR) if name)


def user_to_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email.value,
        "email_normalized": user.email.normalized,
        "username": user.username.value,
        "username_normalized": user.username.normalized,
        "full_name": user.full_name,
        "hashed_password": user.hashed_password,
        "roles": roles_to_column(user.roles),
        "is_active": user.is_active,
        "email_verified": user.email_verified,
        "last_login": user.last_login,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "failed_login_attempts": user.failed_login_attempts,
        "locked_until": user.locked_until,
        "mfa_enabled": user.mfa_enabled,
    }


def user_from_row(row: Mapping[str, Any]) -> User:
    # Stored values were valid when written, so they are rebuilt without parsing them again.
    return User(
        id=UserId(row["id"]),
        email=Email(row["email"]),
        username=Username(row["username"]),
        full_name=row["full_name"],
        hashed_password=row["hashed_password"],
        roles=roles_from_column(row["roles"]),
        is_active=bool(row["is_active"]),
        email_verified=bool(row["email_verified"]),
        last_login=row["last_login"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        failed_login_attempts=row["failed_login_attempts"],
        locked_until=row["locked_until"],
        mfa_enabled=bool(row["mfa_enabled"]),
    )


def session_to_row(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "user_id": session.user_id,
        "created_at": session.created_at,
        "last_used_at": session.last_used_at,
        "expires_at": session.expires_at,
        "ip": session.ip,
        "user_agent": session.user_agent,
        "revoked_at": session.revoked_at,
        "amr": " ".join(session.amr),
    }


def session_from_row(row: Mapping[str, Any]) -> Session:
    return Session(
        id=SessionId(row["id"]),
        user_id=UserId(row["user_id"]),
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        expires_at=row["expires_at"],
        ip=row["ip"],
        user_agent=row["user_agent"],
        revoked_at=row["revoked_at"],
        amr=tuple(row["amr"].split()),
    )


def refresh_token_to_row(token: RefreshToken) -> dict[str, Any]:
    return {
        "token_hash": token.token_hash,
        "session_id": token.session_id,
        "user_id": token.user_id,
        "issued_at": token.issued_at,
        "expires_at": token.expires_at,
        "used_at": token.used_at,
    }


def refresh_token_from_row(row: Mapping[str, Any]) -> RefreshToken:
    return RefreshToken(
        token_hash=row["token_hash"],
        session_id=SessionId(row["session_id"]),
        user_id=UserId(row["user_id"]),
        issued_at=row["issued_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


def one_time_token_to_row(token: OneTimeToken) -> dict[str, Any]:
    return {
        "token_hash": token.token_hash,
        "user_id": token.user_id,
        "purpose": token.purpose.value,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "used_at": token.used_at,
    }


def one_time_token_from_row(row: Mapping[str, Any]) -> OneTimeToken:
    return OneTimeToken(
        token_hash=row["token_hash"],
        user_id=UserId(row["user_id"]),
        purpose=TokenPurpose(row["purpose"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


def outbox_message_to_row(entry_id: str, message: OutboxMessage, now: datetime) -> dict[str, Any]:
    """A new outbox row: no attempt yet, due at once."""
    row = {"id": entry_id, "kind": kind_of(message).value, "created_at": now, "attempts": 0, "next_attempt_at": now}
    if isinstance(message, WebhookMessage):
        return row | {
            "recipient": message.url,
            "subject": message.type,
            "body_text": message.body,
            "body_html": None,
            "sealed_token": None,
            "composer": None,
        }
    return row | {
        "recipient": message.to,
        "subject": message.subject,
        "body_text": message.text,
        "body_html": message.html,
        "sealed_token": message.sealed_token,
        "composer": message.composer,
    }


def _outbox_message_from_row(row: Mapping[str, Any]) -> OutboxMessage:
    if row["kind"] == OutboxKind.WEBHOOK:
        return WebhookMessage(url=row["recipient"], id=row["id"], type=row["subject"], body=row["body_text"])
    return MailMessage(
        to=row["recipient"],
        subject=row["subject"],
        text=row["body_text"],
        html=row["body_html"],
        sealed_token=row["sealed_token"],
        composer=row["composer"],
    )


def outbox_entry_from_row(row: Mapping[str, Any]) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        message=_outbox_message_from_row(row),
        created_at=row["created_at"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
    )


def task_to_row(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "owner_id": task.owner_id,
        "title": task.title,
        "description": task.description,
        "completed": task.completed,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
    }


def task_from_row(row: Mapping[str, Any]) -> Task:
    return Task(
        id=TaskId(row["id"]),
        owner_id=UserId(row["owner_id"]),
        title=row["title"],
        description=row["description"],
        completed=bool(row["completed"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def audit_event_to_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type.value,
        "user_id": event.user_id,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "created_at": event.created_at,
        # Compact, ASCII-only JSON: escaping keeps lone surrogates and NUL out of the text column.
        "data": json.dumps(event.data, separators=(",", ":")),
    }


def audit_event_from_row(row: Mapping[str, Any]) -> AuditEvent:
    data: AuditData = json.loads(row["data"])
    return AuditEvent(
        id=row["id"],
        type=AuditEventType(row["type"]),
        user_id=UserId(row["user_id"]) if row["user_id"] is not None else None,
        ip=row["ip"],
        user_agent=row["user_agent"],
        created_at=row["created_at"],
        data=data,
    )


def second_factor_to_row(factor: SecondFactor) -> dict[str, Any]:
    return {
        "user_id": factor.user_id,
        "sealed_secret": factor.sealed_secret,
        "state": factor.state.value,
        "created_at": factor.created_at,
        "confirmed_at": factor.confirmed_at,
        "last_step": factor.last_step,
    }


def recovery_code_rows(factor: SecondFactor) -> list[dict[str, Any]]:
    return [
        {"user_id": factor.user_id, "code_hash": code.code_hash, "position": position, "used_at": code.used_at}
        for position, code in enumerate(factor.recovery_codes)
    ]


def second_factor_from_rows(row: Mapping[str, Any], codes: Sequence[Mapping[str, Any]]) -> SecondFactor:
    return SecondFactor(
        user_id=UserId(row["user_id"]),
        sealed_secret=row["sealed_secret"],
        state=TotpState(row["state"]),
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        last_step=row["last_step"],
        recovery_codes=tuple(RecoveryCode(code_hash=code["code_hash"], used_at=code["used_at"]) for code in codes),
    )


def mfa_challenge_to_row(challenge: MfaChallenge) -> dict[str, Any]:
    return {
        "token_hash": challenge.token_hash,
        "user_id": challenge.user_id,
        "created_at": challenge.created_at,
        "expires_at": challenge.expires_at,
        "tries": challenge.tries,
        "used_at": challenge.used_at,
        "first_factor": challenge.first_factor,
    }


def mfa_challenge_from_row(row: Mapping[str, Any]) -> MfaChallenge:
    return MfaChallenge(
        token_hash=row["token_hash"],
        user_id=UserId(row["user_id"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        tries=row["tries"],
        used_at=row["used_at"],
        first_factor=row["first_factor"],
    )


_TRANSPORT_SEPARATOR = " "


def passkey_to_row(passkey: Passkey) -> dict[str, Any]:
    return {
        "id": passkey.id,
        "user_id": passkey.user_id,
        "credential_id": passkey.credential_id,
        "public_key": passkey.public_key,
        "sign_count": passkey.sign_count,
        "transports": _TRANSPORT_SEPARATOR.join(passkey.transports),
        "backup_eligible": passkey.backup_eligible,
        "backed_up": passkey.backed_up,
        "name": passkey.name,
        "created_at": passkey.created_at,
        "last_used_at": passkey.last_used_at,
    }


def passkey_from_row(row: Mapping[str, Any]) -> Passkey:
    return Passkey(
        id=PasskeyId(row["id"]),
        user_id=UserId(row["user_id"]),
        # Drivers may hand binary columns back as memoryview or bytearray.
        credential_id=bytes(row["credential_id"]),
        public_key=bytes(row["public_key"]),
        sign_count=row["sign_count"],
        transports=tuple(row["transports"].split(_TRANSPORT_SEPARATOR)) if row["transports"] else (),
        backup_eligible=bool(row["backup_eligible"]),
        backed_up=bool(row["backed_up"]),
        name=row["name"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
    )


def webauthn_challenge_to_row(challenge: WebAuthnChallenge) -> dict[str, Any]:
    return {
        "handle_hash": challenge.handle_hash,
        "purpose": challenge.purpose.value,
        "challenge": challenge.challenge,
        "user_id": challenge.user_id,
        "created_at": challenge.created_at,
        "expires_at": challenge.expires_at,
        "used_at": challenge.used_at,
    }


def webauthn_challenge_from_row(row: Mapping[str, Any]) -> WebAuthnChallenge:
    return WebAuthnChallenge(
        handle_hash=row["handle_hash"],
        purpose=CeremonyPurpose(row["purpose"]),
        challenge=bytes(row["challenge"]),
        user_id=UserId(row["user_id"]) if row["user_id"] is not None else None,
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )
