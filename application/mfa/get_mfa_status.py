"""GetMfaStatus: which second factors the caller's account has."""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import ReadOnlyUnitOfWork
from domain.errors import TokenInvalidError
from domain.ids import UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class GetMfaStatus:
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class MfaStatus:
    totp: bool
    passkeys: int
    recovery_codes_left: int


class GetMfaStatusHandler:
    """Show the caller's second factors.

    - `totp` is true once TOTP is confirmed (a pending setup does not count).
    - `passkeys` is the number of passkeys.
    - `recovery_codes_left` counts the unused recovery codes.
    """

    def __init__(self, reader: ReadOnlyUnitOfWork) -> None:
        self._reader = reader

    async def handle(self, query: GetMfaStatus) -> MfaStatus:
        async with self._reader as view:
            user = await view.users.get(query.user_id)
            factor = await view.second_factors.get(query.user_id)
            passkeys = await view.passkeys.count(query.user_id)
        if user is None or not user.is_active:
            raise TokenInvalidError
        active = factor is not None and factor.is_active
        return MfaStatus(
            totp=active, passkeys=passkeys, recovery_codes_left=factor.recovery_codes_left if factor and active else 0
        )
