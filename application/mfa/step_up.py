"""StepUp: the proof that changes to a second factor need, the account's password and a code."""

from __future__ import annotations

from dataclasses import dataclass

from application.account.password_confirmation import PasswordConfirmation
from application.mfa.second_factor_check import Proof, SecondFactorCheck
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.audit import NO_CONTEXT, RequestContext
from domain.errors import MfaNotEnabledError, TokenInvalidError, WrongCodeError
from domain.ids import UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class SteppedUpChange:
    """A change to the caller's second factor, confirmed with the password and a code (a current TOTP
    code or an unused recovery code)."""

    user_id: UserId
    password: str
    code: str
    context: RequestContext = NO_CONTEXT


class StepUp:
    """Proves the caller holds the account's password and its second factor.

    - The code first (a current TOTP code or an unused recovery code), against the account's
      lockout, failures audited as `mfa.failed`; a right code resets nothing.
    - Then the password, also against the lockout, failures audited; a right one resets the count.
      In this order neither secret buys unlimited guesses at the other: a wrong code stops before
      the password could reset its count, and a right code (which stays valid until claimed) does
      not reset the count of wrong passwords.
    - The proof still has to be claimed in the transaction of the change
      (`SecondFactorCheck.claim`), which uses it up.
    """

    def __init__(
        self, uow: UnitOfWork, reader: ReadOnlyUnitOfWork, confirmation: PasswordConfirmation, check: SecondFactorCheck
    ) -> None:
        self._uow, self._reader, self._confirmation, self.check = uow, reader, confirmation, check

    async def proved(self, change: SteppedUpChange, *, purpose: str) -> tuple[User, Proof]:
        """The account and what the code proves.

        Raises:
            TokenInvalidError: the account is gone or deactivated.
            TooManyAttemptsError: the account's lockout holds.
            WrongPasswordError: the password is wrong.
            MfaNotEnabledError: the account has no second factor on.
            WrongCodeError: the code is wrong or already used.
        """
        user_id, context = change.user_id, change.context
        async with self._reader as view:
            user = await view.users.get(user_id)
            factor = await view.second_factors.get(user_id)
        if user is None or not user.is_active:
            raise TokenInvalidError
        if factor is None or not factor.is_active:
            raise MfaNotEnabledError
        proof = await self.check.checked(
            self._uow, user, factor, change.code, purpose=purpose, context=context, reset_on_success=False
        )
        if proof is None:
            raise WrongCodeError
        user = await self._confirmation.confirmed_account(
            self._uow, self._reader, user_id, change.password, purpose=purpose, context=context
        )
        return user, proof
