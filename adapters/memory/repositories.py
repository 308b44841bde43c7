"""Dict-backed repositories working on a transaction's private copy of the store (or, to read, on the store itself)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from adapters.memory.store import OutboxRecord
from domain.account_values import Email, Username
from domain.accounts import User
from domain.errors import EmailTakenError, UsernameTakenError
from domain.events import DomainEvent, RecordedRevocation, revocations_among
from domain.ids import SessionId, UserId
from domain.mail import OutboxKind, OutboxMessage, kind_of
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.paging import Page
from domain.ports.repositories import (
    OneTimeTokenRepository,
    Outbox,
    RefreshTokenLookup,
    RefreshTokenRepository,
    RevocationLog,
    SessionRepository,
    UserRepository,
)
from domain.sessions import RefreshToken, Session
from domain.webhooks import WebhookMessage


class MemoryUserRepository(UserRepository):
    """Users in a dict; entities are copied in and out so that changes need `update` and `commit`.

    `delete_owned` removes what belongs to a deleted user, as ON DELETE CASCADE does in SQL.
    """

    def __init__(self, users: dict[UserId, User], *, delete_owned: Callable[[UserId], None]) -> None:
        self._users = users
        self._delete_owned = delete_owned

    def _check_unique(self, user: User) -> None:
        for other in self._users.values():
            if other.id == user.id:
                continue
            if other.email.normalized == user.email.normalized:
                raise EmailTakenError
            if other.username.normalized == user.username.normalized:
                raise UsernameTakenError

    async def add(self, user: User) -> None:
        self._check_unique(user)
        self._users[user.id] = user.copy()

    async def get(self, user_id: UserId) -> User | None:
        user = self._users.get(user_id)
        return user.copy() if user else None

    async def locked(self, user_id: UserId) -> User | None:
        # The store's lock already runs its transactions one at a time.
        return await self.get(user_id)

    async def by_email(self, email: Email) -> User | None:
        return next((u.copy() for u in self._users.values() if u.email.normalized == email.normalized), None)

    async def by_username(self, username: Username) -> User | None:
        wanted = username.normalized
        return next((u.copy() for u in self._users.values() if u.username.normalized == wanted), None)

    async def delete(self, user_id: UserId) -> None:
        if self._users.pop(user_id, None) is not None:
            self._delete_owned(user_id)

    async def search(self, query: str | None, page: Page) -> tuple[list[User], int]:
        needle = query.lower() if query is not None else ""
        matches = [
            user
            for user in self._users.values()
            if needle in user.email.normalized or needle in user.username.normalized
        ]
        matches.sort(key=lambda user: (user.created_at, user.id))
        return [user.copy() for user in matches[page.offset : page.offset + page.limit]], len(matches)

    async def update(self, user: User) -> None:
        if user.id not in self._users:
            return
        self._check_unique(user)
        self._users[user.id] = user.copy()


class MemorySessionRepository(SessionRepository):
    """Sessions in a dict, copied in and out."""

    def __init__(self, sessions: dict[SessionId, Session]) -> None:
        self._sessions = sessions

    async def add(self, session: Session) -> None:
        self._sessions[session.id] = session.copy()

    async def get(self, session_id: SessionId) -> Session | None:
        session = self._sessions.get(session_id)
        return session.copy() if session else None

    async def active_for_user(self, user_id: UserId, now: datetime) -> list[Session]:
        active = [s.copy() for s in self._sessions.values() if s.user_id == user_id and s.is_active(now)]
        return sorted(active, key=lambda s: (s.created_at, s.id), reverse=True)

    async def all_for_user(self, user_id: UserId) -> list[Session]:
        held = [s.copy() for s in self._sessions.values() if s.user_id == user_id]
        return sorted(held, key=lambda s: (s.created_at, s.id), reverse=True)

    async def revoke(self, session_id: SessionId, now: datetime) -> bool:
        session = self._sessions.get(session_id)
        if session is None or session.revoked_at is not None:
            return False
        self._sessions[session_id] = replace(session, revoked_at=now)
        return True

    async def revoked_since(self, since: datetime) -> list[SessionId]:
        return sorted(s.id for s in self._sessions.values() if s.revoked_at is not None and s.revoked_at >= since)

    async def revoke_all_for_user(
        self, user_id: UserId, now: datetime, *, keep: SessionId | None = None
    ) -> list[SessionId]:
        ids = [s.id for s in self._sessions.values() if s.user_id == user_id and s.revoked_at is None and s.id != keep]
        for session_id in ids:
            await self.revoke(session_id, now)
        return sorted(ids)


class MemoryRefreshTokenRepository(RefreshTokenRepository):
    """Refresh tokens in a dict keyed by hash (records are immutable)."""

    def __init__(
        self, tokens: dict[str, RefreshToken], sessions: dict[SessionId, Session], users: dict[UserId, User]
    ) -> None:
        self._tokens, self._sessions, self._users = tokens, sessions, users

    async def add(self, token: RefreshToken) -> None:
        self._tokens.setdefault(token.token_hash, token)

    async def get(self, token_hash: str) -> RefreshToken | None:
        return self._tokens.get(token_hash)

    async def lookup(self, token_hash: str) -> RefreshTokenLookup | None:
        token = self._tokens.get(token_hash)
        if token is None:
            return None
        return RefreshTokenLookup(token, self._sessions.get(token.session_id), self._users.get(token.user_id))

    async def rotate(self, token_hash: str, successor: RefreshToken, now: datetime) -> bool:
        token = self._tokens.get(token_hash)
        if token is None or token.used_at is not None:
            return False
        self._tokens[token_hash] = replace(token, used_at=now)
        self._tokens.setdefault(successor.token_hash, successor)
        session = self._sessions.get(token.session_id)
        if session is not None:
            self._sessions[session.id] = replace(session, last_used_at=now, expires_at=successor.expires_at)
        return True


class MemoryOneTimeTokenRepository(OneTimeTokenRepository):
    """One-time tokens in a dict keyed by hash (records are immutable)."""

    def __init__(self, tokens: dict[str, OneTimeToken]) -> None:
        self._tokens = tokens

    async def add(self, token: OneTimeToken) -> None:
        self._tokens[token.token_hash] = token

    async def get(self, token_hash: str) -> OneTimeToken | None:
        return self._tokens.get(token_hash)

    async def use(self, token_hash: str, purpose: TokenPurpose, now: datetime) -> bool:
        token = self._tokens.get(token_hash)
        if token is None or token.purpose != purpose or token.used_at is not None or token.expires_at <= now:
            return False
        self._tokens[token_hash] = replace(token, used_at=now)
        return True

    async def invalidate_for_user(self, user_id: UserId, purpose: TokenPurpose, now: datetime) -> int:
        unused = [
            token
            for token in self._tokens.values()
            if token.user_id == user_id and token.purpose == purpose and token.used_at is None
        ]
        for token in unused:
            self._tokens[token.token_hash] = replace(token, used_at=now)
        return len(unused)


class MemoryOutbox(Outbox):
    """Queues messages in the transaction's copy of the outbox (mail under a new uuid4 id, a webhook
    under its own); `MemoryOutboxQueue` sees them once committed."""

    def __init__(self, records: dict[str, OutboxRecord]) -> None:
        self._records = records

    async def add(self, message: OutboxMessage, now: datetime) -> str:
        entry_id = message.id if isinstance(message, WebhookMessage) else str(uuid.uuid4())
        self._records[entry_id] = OutboxRecord(id=entry_id, message=message, created_at=now, next_attempt_at=now)
        return entry_id

    async def purge_webhooks(self, before: datetime) -> int:
        settled = [
            record.id
            for record in self._records.values()
            if kind_of(record.message) is OutboxKind.WEBHOOK
            and record.created_at < before
            and (record.sent_at is not None or record.failed_at is not None)
        ]
        for entry_id in settled:
            del self._records[entry_id]
        return len(settled)


class MemoryRevocationLog(RevocationLog):
    """The revocation log of a memory store: a list in id order, read in place, appended by the commit."""

    def __init__(self, entries: list[RecordedRevocation]) -> None:
        self._entries = entries

    def store(self, events: Iterable[DomainEvent]) -> None:
        next_id = self._entries[-1].id + 1 if self._entries else 1
        for offset, event in enumerate(revocations_among(events)):
            self._entries.append(RecordedRevocation(id=next_id + offset, event=event))

    async def since(self, moment: datetime, *, after_id: int = 0, limit: int) -> list[RecordedRevocation]:
        return [entry for entry in self._entries if entry.id > after_id and entry.event.occurred_at >= moment][:limit]

    async def prune(self, before: datetime) -> int:
        kept = [entry for entry in self._entries if entry.event.occurred_at >= before]
        pruned = len(self._entries) - len(kept)
        self._entries[:] = kept
        return pruned
