"""MemoryStore: the committed state that memory units of work share."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from domain.model import RefreshToken, Session, SessionId, User, UserId


@dataclass
class MemoryStore:
    """Dicts of committed entities. `lock` serialises transactions, which makes every unit of work
    on one store serialisable, the strongest isolation, so conditional updates cannot race."""

    users: dict[UserId, User] = field(default_factory=dict)
    sessions: dict[SessionId, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    commits: int = 0
