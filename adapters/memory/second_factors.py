"""Dict-backed second factors and MFA challenges, on a transaction's private copy of the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.ids import UserId
from domain.ports.repositories import MfaChallengeRepository, SecondFactorRepository
from domain.second_factor import MfaChallenge, SecondFactor


class MemorySecondFactorRepository(SecondFactorRepository):
    """Second factors by user id; copied in and out, so a change needs `save` and `commit`."""

    def __init__(self, factors: dict[UserId, SecondFactor]) -> None:
        self._factors = factors

    async def get(self, user_id: UserId) -> SecondFactor | None:
        factor = self._factors.get(user_id)
        return factor.copy() if factor is not None else None

    async def save(self, factor: SecondFactor) -> None:
        self._factors[factor.user_id] = factor.copy()

    async def delete(self, user_id: UserId) -> bool:
        return self._factors.pop(user_id, None) is not None

    async def advance_step(self, user_id: UserId, step: int) -> bool:
        factor = self._factors.get(user_id)
        if factor is None or not factor.is_active or (factor.last_step is not None and factor.last_step >= step):
            return False
        self._factors[user_id] = replace(factor, last_step=step)
        return True

    async def use_recovery_code(self, user_id: UserId, code_hash: str, now: datetime) -> bool:
        factor = self._factors.get(user_id)
        if factor is None:
            return False
        codes = list(factor.recovery_codes)
        for index, code in enumerate(codes):
            if code.code_hash == code_hash and code.used_at is None:
                codes[index] = replace(code, used_at=now)
                self._factors[user_id] = replace(factor, recovery_codes=tuple(codes))
                return True
        return False


class MemoryMfaChallengeRepository(MfaChallengeRepository):
    """Challenges by token hash (frozen, so stored as they are)."""

    def __init__(self, challenges: dict[str, MfaChallenge]) -> None:
        self._challenges = challenges

    async def add(self, challenge: MfaChallenge) -> None:
        self._challenges[challenge.token_hash] = challenge

    async def get(self, token_hash: str) -> MfaChallenge | None:
        return self._challenges.get(token_hash)

    async def try_once(self, token_hash: str, now: datetime) -> MfaChallenge | None:
        challenge = self._challenges.get(token_hash)
        if challenge is None or not challenge.may_try(now):
            return None
        counted = replace(challenge, tries=challenge.tries + 1)
        self._challenges[token_hash] = counted
        return counted

    async def use(self, token_hash: str, now: datetime) -> bool:
        challenge = self._challenges.get(token_hash)
        if challenge is None or challenge.used_at is not None or now >= challenge.expires_at:
            return False
        self._challenges[token_hash] = replace(challenge, used_at=now)
        return True
