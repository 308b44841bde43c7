"""The background task that applies other processes' revocations, one per server process."""

from __future__ import annotations

import logging

from application.ops.follow_revocations import FollowRevocationsHandler
from entrypoints.periodic_job import PeriodicJob

logger = logging.getLogger("bastion.revocations")

# Twice a second: a revocation made by any process is enforced by every other within a second.
FOLLOW_INTERVAL_S = 0.5


class RevocationFollower(PeriodicJob):
    """Runs `FollowRevocations` every half second. `start` runs it once first, so the process
    enforces every revocation stored before it started; a database that does not answer then
    stops the start (the process would accept revoked tokens)."""

    def __init__(self, follow: FollowRevocationsHandler, interval: float = FOLLOW_INTERVAL_S) -> None:
        self._follow = follow
        super().__init__(
            name="bastion-revocation-follower",
            job=follow.handle,
            interval=interval,
            logger=logger,
            down_message="revocation log unavailable (%s); revocations made elsewhere wait until it answers",
        )

    async def start(self) -> None:
        await self._follow.handle()
        await super().start()
