"""MemoryBreachedPasswords: a breach corpus held in memory, for tests."""

from __future__ import annotations

from collections.abc import Iterable

from domain.ports.breached_passwords import BreachedPasswordCheck


class MemoryBreachedPasswords(BreachedPasswordCheck):
    """Breached: exactly the passwords in `breached` (add more with `breached.add`). `asked` lists
    every password asked about, in order, so tests can see whether and with what form it was asked."""

    def __init__(self, breached: Iterable[str] = ()) -> None:
        self.breached = set(breached)
        self.asked: list[str] = []

    async def is_breached(self, password: str) -> bool:
        self.asked.append(password)
        return password in self.breached
