"""NoBreachCheck: the breach check when none is configured."""

from __future__ import annotations

from adapters.lifecycle import Lifecycle
from domain.ports.breached_passwords import BreachedPasswordCheck


class NoBreachCheck(BreachedPasswordCheck, Lifecycle):
    """Asks nobody: no password counts as breached (BASTION_PASSWORD_BREACH_CHECK=off). It holds
    nothing, but stands in the lifecycle where a configured check would."""

    async def is_breached(self, password: str) -> bool:
        return False

    async def start(self) -> None:
        """Nothing to acquire."""

    async def stop(self) -> None:
        """Nothing to release."""
