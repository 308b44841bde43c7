"""The answer of GET /auth/me/export: everything held about the caller, secrets left out."""

from __future__ import annotations

from datetime import datetime

import msgspec

from application.account.export_account import AccountExport
from domain.sessions import Session
from entrypoints.http.api_key_schemas import ApiKeyResponse
from entrypoints.http.passkey_schemas import PasskeyResponse
from entrypoints.http.schemas import AuditEventResponse, TaskResponse, UserResponse


class ExportedSession(msgspec.Struct, frozen=True):
    id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    ip: str | None
    user_agent: str | None

    @classmethod
    def of(cls, session: Session) -> ExportedSession:
        return cls(
            id=session.id,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            expires_at=session.expires_at,
            revoked_at=session.revoked_at,
            ip=session.ip,
            user_agent=session.user_agent,
        )


class AccountExportResponse(msgspec.Struct, frozen=True):
    """`identities` is an empty list: the service keeps none yet. A passkey is its name and times, as
    GET /auth/passkeys lists it; an API key its metadata, as GET /auth/api-keys lists it (the key
    itself is never stored)."""

    exported_at: datetime
    account: UserResponse
    sessions: list[ExportedSession]
    tasks: list[TaskResponse]
    audit_events: list[AuditEventResponse]
    identities: list[dict[str, str]]
    passkeys: list[PasskeyResponse]
    api_keys: list[ApiKeyResponse]

    @classmethod
    def of(cls, export: AccountExport) -> AccountExportResponse:
        return cls(
            exported_at=export.exported_at,
            account=UserResponse.of(export.user),
            sessions=[ExportedSession.of(session) for session in export.sessions],
            tasks=[TaskResponse.of(task) for task in export.tasks],
            audit_events=[AuditEventResponse.of(event) for event in export.audit_events],
            identities=[],
            passkeys=[PasskeyResponse.of(passkey) for passkey in export.passkeys],
            api_keys=[ApiKeyResponse.of(key) for key in export.api_keys],
        )
