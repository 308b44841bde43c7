"""Whether an account's logins take a second step: kept on the account (`mfa_enabled`), recomputed
in the transaction of every change to its second factors."""

from __future__ import annotations

from datetime import datetime

from application.unit_of_work import UnitOfWork
from domain.accounts import User


async def refresh_mfa_flag(uow: UnitOfWork, user: User, now: datetime) -> None:
    """Set `user.mfa_enabled` from what the account has now, in `uow`'s transaction: TOTP confirmed,
    or at least one passkey (the caller stores the user)."""
    factor = await uow.second_factors.get(user.id)
    enabled = (factor is not None and factor.is_active) or await uow.passkeys.count(user.id) > 0
    if enabled != user.mfa_enabled:
        user.set_mfa_enabled(enabled, now)
