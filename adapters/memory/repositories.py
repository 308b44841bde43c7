"""Dict-backed repositories working on a transaction's private copy of the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.errors import EmailTakenError, UsernameTakenError
from domain.model import Email, RefreshToken, Session, SessionId, User, UserId, Username
from domain.ports.repositories import RefreshTokenRepository, SessionRepository, UserRepository


class MemoryUserRepository(UserRepository):
    """Users in a dict; entities are copied in and out so that changes need `update` and `commit`."""

    def __init__(self, users: dict[UserId, User]) -> None:
        self._users = users

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

    async def by_email(self, email: Email) -> User | None:
        return next((u.copy() for u in self._users.values() if u.email.normalized == email.normalized), None)

    async def by_username(self, username: Username) -> User | None:
        wanted = username.normalized
        return next((u.copy() for u in self._users.values() if u.username.normalized == wanted), None)

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

    async def touch(self, session_id: SessionId, now: datetime, expires_at: datetime) -> None:
        session = self._sessions.get(session_id)
        if session is not None:
            self._sessions[session_id] = replace(session, last_used_at=now, expires_at=expires_at)

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

    def __init__(self, tokens: dict[str, RefreshToken]) -> None:
        self._tokens = tokens

    async def add(self, token: RefreshToken) -> None:
        self._tokens.setdefault(token.token_hash, token)

    async def get(self, token_hash: str) -> RefreshToken | None:
        return self._tokens.get(token_hash)

    async def mark_used(self, token_hash: str, now: datetime) -> bool:
        token = self._tokens.get(token_hash)
        if token is None or token.used_at is not None:
            return False
        self._tokens[token_hash] = replace(token, used_at=now)
        return True
