"""The lockout as use cases apply it to every password check: count first, take back what was not checked."""

from __future__ import annotations

import logging

from application.errors import DependencyUnavailableError
from domain.ports.clock import Clock
from domain.ports.throttling import LoginAttemptCounter
from domain.throttling import AttemptDecision, LockoutPolicy

logger = logging.getLogger("bastion.login")


class Lockout:
    """A password check is counted against its key *before* it runs (so parallel guesses cannot slip
    past the limit), taken back when it could not run (only a checked wrong password counts), and a
    right password resets the key. With the policy switched off nothing is counted."""

    def __init__(self, attempts: LoginAttemptCounter, policy: LockoutPolicy, clock: Clock) -> None:
        self._attempts, self.policy, self._clock = attempts, policy, clock

    async def count(self, key: str) -> AttemptDecision | None:
        """The decision for one more check on `key` (None when the lockout is off)."""
        if not self.policy.enabled:
            return None
        return await self._attempts.begin(
            key, max_failures=self.policy.max_failures, lockout=self.policy.duration, now=self._clock.now()
        )

    def locks(self, decision: AttemptDecision | None) -> bool:
        """Whether a wrong password checked under `decision` is the one that starts a lockout."""
        return decision is not None and decision.allowed and decision.attempts >= self.policy.max_failures

    async def release(self, key: str) -> None:
        """Take back the check counted on `key`: its password was never checked. A counter that does
        not answer now leaves it counted (logged), which errs on the side of the lockout."""
        if not self.policy.enabled:
            return
        try:
            await self._attempts.release(key, now=self._clock.now())
        except DependencyUnavailableError:
            logger.warning("a password check that did not run could not be taken back")

    async def succeed(self, key: str) -> None:
        if self.policy.enabled:
            await self._attempts.succeed(key)
