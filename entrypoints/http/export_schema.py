"""The answer of GET /auth/me/export: everything held about the caller, secrets left out."""

from __future__ import annotations

from datetime import datetime

import msgspec

from application.account.export_account import AccountExport
from domain.identities import Identity
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


class ExportedIdentity(msgspec.Struct, frozen=True):
    id: str
    provider: str
    issuer: str
    subject: str
    email: str | None
    created_at: datetime

    @classmethod
    def of(cls, identity: Identity) -> ExportedIdentity:
        return cls(
            id=identity.id,
            provider=identity.provider,
            issuer=identity.issuer,
            subject=identity.subject,
            email=identity.email,
            created_at=identity.created_at,
        )


class AccountExportResponse(msgspec.Struct, frozen=True):
    """A linked identity is what GET /auth/identities lists plus the provider's issuer and its id of
    the user there (`subject`): nothing secret is held for it. A passkey is its name and times, as
    GET /auth/passkeys lists it; an API key its metadata, as GET /auth/api-keys lists it (the key
    itself is never stored)."""

    exported_at: datetime
    account: UserResponse
    sessions: list[ExportedSession]
    tasks: list[TaskResponse]
    audit_events: list[AuditEventResponse]
    identities: list[ExportedIdentity]
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
            identities=[ExportedIdentity.of(identity) for identity in export.identities],
            passkeys=[PasskeyResponse.of(passkey) for passkey in export.passkeys],
            api_keys=[ApiKeyResponse.of(key) for key in export.api_keys],
        )
