"""MemoryStore: the committed state that memory units of work share."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from domain.accounts import User
from domain.api_keys import ApiKey, ApiKeyId
from domain.audit import AuditEvent
from domain.events import RecordedRevocation
from domain.identities import Identity, IdentityId, OAuthFlow
from domain.ids import SessionId, UserId
from domain.mail import OutboxMessage
from domain.one_time_tokens import OneTimeToken
from domain.passkeys import Passkey, PasskeyId, WebAuthnChallenge
from domain.second_factor import MfaChallenge, SecondFactor
from domain.service_accounts import ServiceAccount, ServiceAccountId
from domain.sessions import RefreshToken, Session
from domain.tasks import Task, TaskId


@dataclass(slots=True, kw_only=True)
class OutboxRecord:
    """A message in the memory outbox with its delivery state, changed in place by `MemoryOutboxQueue`.

    Pending while neither `sent_at` nor `failed_at` is set; leased to a worker until `leased_until`.
    """

    id: str
    message: OutboxMessage
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    leased_until: datetime | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None


@dataclass
class MemoryStore:
    """Dicts of committed entities. `lock` serialises transactions, which makes every unit of work
    on one store serialisable, the strongest isolation, so conditional updates cannot race."""

    users: dict[UserId, User] = field(default_factory=dict)
    sessions: dict[SessionId, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    one_time_tokens: dict[str, OneTimeToken] = field(default_factory=dict)
    outbox: dict[str, OutboxRecord] = field(default_factory=dict)
    tasks: dict[TaskId, Task] = field(default_factory=dict)
    second_factors: dict[UserId, SecondFactor] = field(default_factory=dict)
    mfa_challenges: dict[str, MfaChallenge] = field(default_factory=dict)
    passkeys: dict[PasskeyId, Passkey] = field(default_factory=dict)
    webauthn_challenges: dict[str, WebAuthnChallenge] = field(default_factory=dict)
    api_keys: dict[ApiKeyId, ApiKey] = field(default_factory=dict)
    service_accounts: dict[ServiceAccountId, ServiceAccount] = field(default_factory=dict)
    identities: dict[IdentityId, Identity] = field(default_factory=dict)
    oauth_flows: dict[str, OAuthFlow] = field(default_factory=dict)
    # Audit events by id; they are never deleted, not even with their user.
    audit_events: dict[str, AuditEvent] = field(default_factory=dict)
    # The revocation log, in id order; entries stay when their user is deleted.
    revocation_log: list[RecordedRevocation] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    commits: int = 0
