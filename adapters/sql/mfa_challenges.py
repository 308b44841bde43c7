"""SqlMfaChallengeRepository: the second steps of logins in `mfa_challenges` over one transaction's
`SqlConnection`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import NOW, insert_all
from adapters.sql.tables import mfa_challenges
from domain.ports.repositories import MfaChallengeRepository
from domain.second_factor import MFA_CHALLENGE_MAX_TRIES, MfaChallenge

_USABLE = (
    mfa_challenges.c.token_hash == bindparam("hash"),
    mfa_challenges.c.used_at.is_(None),
    mfa_challenges.c.expires_at > NOW,
)
_CHALLENGE_ADD = insert_all(mfa_challenges)
_CHALLENGE_GET = Statement(select(mfa_challenges).where(mfa_challenges.c.token_hash == bindparam("hash")))
_CHALLENGE_TRY = Statement(
    update(mfa_challenges)
    .where(*_USABLE, mfa_challenges.c.tries < MFA_CHALLENGE_MAX_TRIES)
    .values(tries=mfa_challenges.c.tries + 1)
    .returning(*mfa_challenges.c)
)
_CHALLENGE_USE = Statement(update(mfa_challenges).where(*_USABLE).values(used_at=NOW))


class SqlMfaChallengeRepository(MfaChallengeRepository):
    """Challenges keyed by the hash of their token, deleted with their user. A try is one conditional
    UPDATE ... RETURNING that counts it only below the limit, and a use one conditional UPDATE, so
    concurrent callers can neither exceed the tries nor use a challenge twice."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def add(self, challenge: MfaChallenge) -> None:
        await self._connection.execute(_CHALLENGE_ADD, mapping.mfa_challenge_to_row(challenge))

    async def get(self, token_hash: str) -> MfaChallenge | None:
        row = await self._connection.fetch_one(_CHALLENGE_GET, {"hash": token_hash})
        return mapping.mfa_challenge_from_row(row) if row is not None else None

    async def try_once(self, token_hash: str, now: datetime) -> MfaChallenge | None:
        row = await self._connection.fetch_one(_CHALLENGE_TRY, {"hash": token_hash, "now": now})
        return mapping.mfa_challenge_from_row(row) if row is not None else None

    async def use(self, token_hash: str, now: datetime) -> bool:
        return await self._connection.execute(_CHALLENGE_USE, {"hash": token_hash, "now": now}) == 1
