"""PyotpTotpAlgorithm: RFC 6238 codes computed by pyotp."""

from __future__ import annotations

import base64
import secrets

import pyotp

from domain.ports.second_factor import TotpAlgorithm
from domain.second_factor import TOTP_DIGITS, TOTP_SECRET_BYTES, TOTP_STEP_SECONDS


class PyotpTotpAlgorithm(TotpAlgorithm):
    """SHA-1, 6 digits, 30-second steps (what every authenticator app reads from an otpauth URI).

    pyotp computes the codes of a step (`generate_otp` is RFC 4226's HOTP of the counter `T`); the
    window of accepted steps and the replay guard are the domain's (`SecondFactor.accepted_step`),
    not pyotp's `verify`.
    """

    def new_secret(self) -> str:
        return base64.b32encode(secrets.token_bytes(TOTP_SECRET_BYTES)).decode("ascii").rstrip("=")

    def code_at(self, secret: str, step: int) -> str:
        return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).generate_otp(step)

    def provisioning_uri(self, secret: str, *, account: str, issuer: str) -> str:
        totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS)
        return totp.provisioning_uri(name=account, issuer_name=issuer)
