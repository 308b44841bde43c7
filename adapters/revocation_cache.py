"""RevocationCache: one process's copy of the revocation entries, answered from memory.

Shared by the in-process revocation list and the Redis one (which keeps its copy current from
Redis), so both answer `is_revoked` with the same rules. Pure Python: no I/O, no clock of its own.
"""

from __future__ import annotations

import math

from domain.sessions import AccessClaims

# Below this many entries, pruning is not worth a pass over the dicts.
MIN_PRUNE_THRESHOLD = 1024


def seconds_down(timestamp: float) -> int:
    """Whole epoch seconds, rounded down: how `issued_before` is kept (JWT `iat` has whole seconds)."""
    return math.floor(timestamp)


def seconds_up(timestamp: float) -> int:
    """Whole epoch seconds, rounded up: how `until` is kept (JWT `exp` has whole seconds, and rounding
    up never shortens an entry; whole numbers also survive Redis scores and JSON exactly)."""
    return math.ceil(timestamp)


class RevocationCache:
    """Revoked sessions and per-user "issued before" moments, with the moment each entry lapses.

    Times are epoch seconds given by the caller: whole seconds for `issued_before` and `until` (see
    `seconds_down` and `seconds_up`), `datetime.timestamp()` for `now`.

    - A session entry revokes every token of that session while `now <= until`.
    - A user entry revokes the user's tokens with `issued_at` before `issued_before` while `now <= until`,
      comparing whole seconds: a token issued in the same second as a logout-all is *not* revoked by
      the user entry. Logout-all lists the sessions it revoked separately, so such a token still dies
      through its session, while a login completed in that second after the logout keeps working.
    - Adding an entry again never shortens it: a session keeps the later `until`; a user keeps every
      (issued_before, until) pair not covered by another pair that is at least as late in both.
    - Expired entries are pruned when the number of entries has doubled since the last pass, using the
      latest `now` seen by `is_revoked` (time is taken to move forward). Memory therefore stays
      proportional to the live entries at amortised O(1) cost per call.
    """

    def __init__(self) -> None:
        self._sessions: dict[str, int] = {}
        self._users: dict[str, list[tuple[int, int]]] = {}
        self._latest_seen: float | None = None
        self._prune_threshold = MIN_PRUNE_THRESHOLD

    @property
    def latest_seen(self) -> float | None:
        """The latest `now` (epoch seconds) that `is_revoked` was asked about, if any."""
        return self._latest_seen

    def add_session(self, session_id: str, until: int) -> None:
        self._sessions[session_id] = max(until, self._sessions.get(session_id, until))
        self._prune_if_grown()

    def add_user(self, user_id: str, issued_before: int, until: int) -> None:
        pairs = self._users.get(user_id, [])
        if any(kept_before >= issued_before and kept_until >= until for kept_before, kept_until in pairs):
            return
        pairs = [
            (kept_before, kept_until)
            for kept_before, kept_until in pairs
            if kept_until > until or kept_before > issued_before
        ]
        pairs.append((issued_before, until))
        self._users[user_id] = pairs
        self._prune_if_grown()

    def is_revoked(self, claims: AccessClaims, now: float) -> bool:
        if self.is_session_revoked(claims.session_id, now):
            return True
        issued_at = seconds_down(claims.issued_at.timestamp())
        return any(
            issued_at < issued_before and now <= until for issued_before, until in self._users.get(claims.subject, ())
        )

    def is_session_revoked(self, session_id: str, now: float) -> bool:
        """Whether the session (or API key) with this id is revoked at `now`."""
        if self._latest_seen is None or now > self._latest_seen:
            self._latest_seen = now
        self._prune_if_grown()
        session_until = self._sessions.get(session_id)
        return session_until is not None and now <= session_until

    def _prune(self, now: float) -> None:
        """Forget every entry whose `until` is before `now`."""
        self._sessions = {session_id: until for session_id, until in self._sessions.items() if until >= now}
        users: dict[str, list[tuple[int, int]]] = {}
        for user_id, pairs in self._users.items():
            live = [(issued_before, until) for issued_before, until in pairs if until >= now]
            if live:
                users[user_id] = live
        self._users = users
        self._prune_threshold = max(MIN_PRUNE_THRESHOLD, 2 * self._size())

    def _size(self) -> int:
        return len(self._sessions) + len(self._users)

    def _prune_if_grown(self) -> None:
        if self._latest_seen is not None and self._size() >= self._prune_threshold:
            self._prune(self._latest_seen)
