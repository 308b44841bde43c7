"""The second factor of an account (a TOTP secret and its recovery codes) and the MFA challenge of a
login that has passed its password step, with the rules that govern both."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.ids import UserId

# RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps.
TOTP_DIGITS = 6
TOTP_STEP_SECONDS = 30
# One step of clock drift either way between the server and the authenticator.
TOTP_DRIFT_STEPS = 1
TOTP_SECRET_BYTES = 20  # 160 bits, RFC 4226's recommended length

RECOVERY_CODE_COUNT = 10
# 12 characters of base32: 60 random bits each, shown as `xxxx-xxxx-xxxx`.
RECOVERY_CODE_LENGTH = 12
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
# Longer than any code written with generous spacing; anything longer is refused unread.
CODE_MAX_LENGTH = 64

MFA_CHALLENGE_TTL = timedelta(minutes=5)
MFA_CHALLENGE_MAX_TRIES = 5


class SecondFactorMethod(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"
    WEBAUTHN = "webauthn"


class TotpState(StrEnum):
    # Set up but not proved yet: it does not protect the account until confirmed with a code.
    PENDING = "pending"
    ACTIVE = "active"


def totp_step(now: datetime) -> int:
    """The RFC 6238 time step (`T`) that `now` falls in."""
    return int(now.timestamp()) // TOTP_STEP_SECONDS


def totp_code_shape(code: str) -> str | None:
    """`code` as a TOTP code (six ASCII digits, spaces around or inside ignored), or None."""
    if len(code) > CODE_MAX_LENGTH:
        return None
    compact = "".join(code.split())
    if len(compact) == TOTP_DIGITS and compact.isascii() and compact.isdigit():
        return compact
    return None


def recovery_code_shape(code: str) -> str | None:
    """`code` as a recovery code in its canonical form (lower case, without spaces or dashes), or None."""
    if len(code) > CODE_MAX_LENGTH:
        return None
    compact = "".join(code.split()).replace("-", "").lower()
    if len(compact) == RECOVERY_CODE_LENGTH and all(char in _RECOVERY_ALPHABET for char in compact):
        return compact
    return None


def method_of_code(code: str) -> SecondFactorMethod:
    """The method a code was meant for, judged by its shape alone (six digits are a TOTP code)."""
    return SecondFactorMethod.TOTP if totp_code_shape(code) is not None else SecondFactorMethod.RECOVERY_CODE


def new_recovery_codes() -> list[str]:
    """A fresh set of recovery codes, as shown to the user once (`xxxx-xxxx-xxxx`)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[start : start + 4] for start in range(0, RECOVERY_CODE_LENGTH, 4)))
    return codes


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoveryCode:
    """One recovery code, known only by its keyed hash; single use."""

    code_hash: str
    used_at: datetime | None = None


@dataclass(slots=True, kw_only=True)
class SecondFactor:
    """An account's TOTP secret (sealed: stored only encrypted) and its recovery codes.

    `last_step` is the time step of the last TOTP code accepted: a code of that step or an earlier
    one is never accepted again, which makes each code single use (RFC 6238 section 5.2).
    """

    user_id: UserId
    sealed_secret: str
    state: TotpState
    created_at: datetime
    confirmed_at: datetime | None = None
    last_step: int | None = None
    recovery_codes: tuple[RecoveryCode, ...] = ()

    @classmethod
    def begin(cls, *, user_id: UserId, sealed_secret: str, now: datetime) -> SecondFactor:
        """A pending TOTP secret: it protects nothing until `confirm`."""
        return cls(user_id=user_id, sealed_secret=sealed_secret, state=TotpState.PENDING, created_at=now)

    @property
    def is_active(self) -> bool:
        return self.state is TotpState.ACTIVE

    @property
    def recovery_codes_left(self) -> int:
        return sum(1 for code in self.recovery_codes if code.used_at is None)

    def confirm(self, step: int, recovery_code_hashes: list[str], now: datetime) -> None:
        """Turn TOTP on, proved by a code of `step`, with a new set of recovery codes."""
        self.state = TotpState.ACTIVE
        self.confirmed_at = now
        self.last_step = step
        self.replace_recovery_codes(recovery_code_hashes)

    def replace_recovery_codes(self, code_hashes: list[str]) -> None:
        """A new set of recovery codes; the old set stops working."""
        self.recovery_codes = tuple(RecoveryCode(code_hash=code_hash) for code_hash in code_hashes)

    def accepted_step(self, code: str, now: datetime, code_at: Callable[[int], str]) -> int | None:
        """The time step whose code `code` is, within one step of drift of `now`, if that step is later
        than the last one accepted; otherwise None. `code_at(step)` computes the code of a step.

        Every candidate is compared in constant time, and all of them are, whichever matches.
        """
        shaped = totp_code_shape(code)
        if shaped is None:
            return None
        current = totp_step(now)
        matched: int | None = None
        for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
            if hmac.compare_digest(code_at(step).encode(), shaped.encode()):
                matched = step
        if matched is None or (self.last_step is not None and matched <= self.last_step):
            return None
        return matched

    def unused_recovery_code(self, code_hash: str) -> RecoveryCode | None:
        """The unused recovery code with this hash, compared in constant time with every stored one."""
        found: RecoveryCode | None = None
        for code in self.recovery_codes:
            if hmac.compare_digest(code.code_hash.encode(), code_hash.encode()) and code.used_at is None:
                found = code
        return found

    def copy(self) -> SecondFactor:
        return replace(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class MfaChallenge:
    """The second step of a login whose password was right: the opaque `mfa_token` (known only by its
    hash) that a code must come with. Single use, short-lived, and dead after a few tries."""

    token_hash: str
    user_id: UserId
    created_at: datetime
    expires_at: datetime
    tries: int = 0
    used_at: datetime | None = None
    # The RFC 8176 value of the first step: "pwd" after a password, "ext" after a social login.
    first_factor: str = "pwd"

    @classmethod
    def open(cls, *, token_hash: str, user_id: UserId, now: datetime, first_factor: str = "pwd") -> MfaChallenge:
        return cls(
            token_hash=token_hash,
            user_id=user_id,
            created_at=now,
            expires_at=now + MFA_CHALLENGE_TTL,
            first_factor=first_factor,
        )

    def may_try(self, now: datetime) -> bool:
        """Whether one more code may be tried: unused, unexpired, and tries left."""
        return self.used_at is None and now < self.expires_at and self.tries < MFA_CHALLENGE_MAX_TRIES


# The methods of the second step of a login on an account with TOTP on.
TOTP_LOGIN_METHODS = (SecondFactorMethod.TOTP, SecondFactorMethod.RECOVERY_CODE)


def login_methods(*, totp_active: bool, passkeys: int) -> tuple[SecondFactorMethod, ...]:
    """The methods the second step of a login may use: TOTP and recovery codes when TOTP is on, a
    passkey when the account has one. None at all: the account has no second factor."""
    methods = TOTP_LOGIN_METHODS if totp_active else ()
    return methods + ((SecondFactorMethod.WEBAUTHN,) if passkeys else ())


# RFC 8176 authentication method references.
AMR_PASSWORD = ("pwd",)
AMR_TOTP = ("pwd", "otp", "mfa")
AMR_RECOVERY_CODE = ("pwd", "mfa")


def amr_after(method: SecondFactorMethod, first_factor: str = "pwd") -> tuple[str, ...]:
    """The `amr` of a session that logged in with `first_factor` (a password, "pwd", or a social
    login, "ext") and then `method`."""
    if method is SecondFactorMethod.WEBAUTHN:
        return (first_factor, "hwk", "mfa")
    return (first_factor, "otp", "mfa") if method is SecondFactorMethod.TOTP else (first_factor, "mfa")
