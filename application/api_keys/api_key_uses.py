"""ApiKeyUses: when each key was last used in this process, gathered for `RecordApiKeyUses`."""

from __future__ import annotations

from datetime import datetime

from domain.api_keys import ApiKeyId


class ApiKeyUses:
    """The latest use of each key since the last `drain`: one dictionary write per request, and one
    database write per key and batch (never per request)."""

    def __init__(self) -> None:
        self._uses: dict[ApiKeyId, datetime] = {}

    def note(self, key_id: ApiKeyId, now: datetime) -> None:
        self._uses[key_id] = now

    def drain(self) -> dict[ApiKeyId, datetime]:
        uses, self._uses = self._uses, {}
        return uses

    def restore(self, uses: dict[ApiKeyId, datetime]) -> None:
        """Put back uses that could not be written (newer ones noted meanwhile win)."""
        for key_id, used_at in uses.items():
            if key_id not in self._uses or self._uses[key_id] < used_at:
                self._uses[key_id] = used_at
