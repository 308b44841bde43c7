"""The background task that writes the API keys' latest uses, one per server process."""

from __future__ import annotations

import logging

from application.api_keys.record_api_key_uses import RecordApiKeyUsesHandler
from entrypoints.periodic_job import PeriodicJob

logger = logging.getLogger("bastion.api_keys")

# `last_used_at` lags a key's real last use by at most this, plus a write's time.
RECORD_INTERVAL_S = 30.0


class ApiKeyUseRecorder(PeriodicJob):
    """Runs `RecordApiKeyUses` every 30 seconds, and once more when the process stops."""

    def __init__(self, record: RecordApiKeyUsesHandler, interval: float = RECORD_INTERVAL_S) -> None:
        super().__init__(
            name="bastion-api-key-uses",
            job=record.handle,
            interval=interval,
            logger=logger,
            down_message="key store unavailable (%s); the keys' last uses are written once it answers",
        )
        self._record = record

    async def stop(self) -> None:
        await super().stop()
        try:
            await self._record.handle()
        except Exception:
            logger.warning("the last API key uses of this process could not be written", exc_info=True)
