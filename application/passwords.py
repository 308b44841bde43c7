"""What every password goes through: NFC before any hashing, and the rules of a new password.

- `NfcPasswordHasher` wraps the hasher every use case is given (the composition root wires it), so
  each `hash`, `verify` and `verify_dummy`, wherever a use case calls it, sees the NFC form.
- `NewPasswordRules` is what register, change password, password reset and create-admin check a
  new password against: the password policy (with the list of common passwords) and the breach check.
"""

from __future__ import annotations

from domain.errors import FieldError, ValidationFailedError
from domain.passwords import BREACHED_PASSWORD, PasswordCheck, PasswordPolicy, normalized_password
from domain.ports.breached_passwords import BreachedPasswordCheck
from domain.ports.password_hasher import PasswordHasher


class NfcPasswordHasher(PasswordHasher):
    """The inner hasher, given the NFC form of every password (`normalized_password`).

    A hash made before passwords were normalised, from a password typed in another form (e.g.
    decomposed accents), still verifies against the form as typed, and the check then returns an
    upgraded hash of the NFC form. So that a password not in NFC costs the same work whether or not
    its account exists, `verify_dummy` then spends two checks as well.
    """

    def __init__(self, inner: PasswordHasher) -> None:
        self._inner = inner

    async def hash(self, password: str) -> str:
        return await self._inner.hash(normalized_password(password))

    async def verify(self, password: str, password_hash: str) -> PasswordCheck:
        normalized = normalized_password(password)
        check = await self._inner.verify(normalized, password_hash)
        if check.ok or normalized == password:
            return check
        as_typed = await self._inner.verify(password, password_hash)
        if not as_typed.ok:
            return as_typed
        return PasswordCheck(ok=True, upgraded_hash=await self._inner.hash(normalized))

    async def verify_dummy(self, password: str) -> None:
        normalized = normalized_password(password)
        await self._inner.verify_dummy(normalized)
        if normalized != password:
            await self._inner.verify_dummy(password)


class NewPasswordRules:
    """The rules of a new password.

    - `violations` / `check`: the password policy on the NFC form, common passwords included; no I/O.
    - `check_not_breached`: the breach check (a no-op unless one is configured), asked only about a
      password that passed the policy, in its NFC form.
    """

    def __init__(self, policy: PasswordPolicy, breaches: BreachedPasswordCheck) -> None:
        self._policy, self._breaches = policy, breaches

    def violations(self, password: str) -> list[str]:
        return self._policy.violations(password)

    def check(self, password: str, *, field_name: str) -> None:
        """Raises:
        ValidationFailedError: one entry per broken rule of the policy, under `field_name`.
        """
        self._policy.check(password, field_name=field_name)

    async def check_not_breached(self, password: str, *, field_name: str) -> None:
        """Raises:
        ValidationFailedError: the password is known from breaches, under `field_name`.
        """
        if await self._breaches.is_breached(normalized_password(password)):
            raise ValidationFailedError([FieldError(field_name, BREACHED_PASSWORD)])
