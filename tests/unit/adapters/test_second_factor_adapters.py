"""The technical parts of the second factor: RFC 6238 codes (the RFC's own test vectors), the QR
code, and the keyed hash of recovery codes."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from adapters.crypto.pyotp_totp import PyotpTotpAlgorithm
from adapters.crypto.recovery_code_hasher import HmacRecoveryCodeHasher
from adapters.qr.segno_renderer import SegnoQrRenderer

# RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
# (time in seconds, the 8-digit TOTP of Appendix B); a 6-digit code is its last six digits.
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("seconds", "expected"), RFC_VECTORS)
def test_codes_match_the_rfc_6238_sha1_vectors(seconds: int, expected: str) -> None:
    assert PyotpTotpAlgorithm().code_at(RFC_SECRET, seconds // 30) == expected[-6:]


def test_a_new_secret_is_160_random_bits_in_unpadded_base32() -> None:
    totp = PyotpTotpAlgorithm()
    secrets = {totp.new_secret() for _ in range(50)}

    assert len(secrets) == 50
    assert all(len(secret) == 32 and len(base64.b32decode(secret)) == 20 for secret in secrets)


def test_the_provisioning_uri_names_issuer_account_and_secret() -> None:
    uri = PyotpTotpAlgorithm().provisioning_uri(RFC_SECRET, account="ada@example.org", issuer="Bastion")

    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, unquote(parts.path)) == ("otpauth", "totp", "/Bastion:ada@example.org")
    assert parse_qs(parts.query) == {"secret": [RFC_SECRET], "issuer": ["Bastion"]}


def test_computing_a_code_costs_well_under_a_millisecond() -> None:
    totp, rounds = PyotpTotpAlgorithm(), 3000
    started = time.perf_counter()
    for step in range(rounds):
        totp.code_at(RFC_SECRET, step)
    # Three codes per check (one step of drift either way).
    assert 3 * (time.perf_counter() - started) / rounds < 0.001


def test_the_qr_code_is_a_standalone_svg_of_its_text() -> None:
    qr = SegnoQrRenderer()

    first, second = qr.svg("otpauth://totp/a"), qr.svg("otpauth://totp/b")

    assert first.startswith("<svg")
    assert first.rstrip().endswith("</svg>")
    assert first != second


def test_recovery_code_hashes_are_keyed_and_stable() -> None:
    one, other = HmacRecoveryCodeHasher(b"k" * 32), HmacRecoveryCodeHasher(b"j" * 32)

    assert one.hash("abcdefgh2345") == one.hash("abcdefgh2345")
    assert one.hash("abcdefgh2345") != other.hash("abcdefgh2345")
    assert one.hash("abcdefgh2345") != one.hash("abcdefgh2346")
    assert len(one.hash("abcdefgh2345")) == 64


def test_recovery_code_hashing_needs_a_key() -> None:
    with pytest.raises(ValueError, match="secret key"):
        HmacRecoveryCodeHasher(b"")
