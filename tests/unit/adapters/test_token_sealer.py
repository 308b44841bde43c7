"""AeadTokenSealer: what it seals opens only with the same secret key and purpose, unaltered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.crypto.token_sealer import AeadTokenSealer

KEY = b"k" * 48
SEALER = AeadTokenSealer(KEY, "outbox link token")


@given(st.text())
def test_what_is_sealed_opens_again(secret: str) -> None:
    assert SEALER.unseal(SEALER.seal(secret)) == secret


def test_sealed_text_shows_nothing_of_the_secret_and_differs_every_time() -> None:
    secret = "reset-token-abcdefghijklmnopqrstuvwxyz"
    first, second = SEALER.seal(secret), SEALER.seal(secret)
    assert first != second
    assert secret not in first
    assert first.isascii()
    assert first.isprintable()


@pytest.mark.parametrize(
    "other",
    [AeadTokenSealer(b"o" * 48, "outbox link token"), AeadTokenSealer(KEY, "totp secret")],
    ids=["other key", "other purpose"],
)
def test_another_key_or_purpose_cannot_open_it(other: AeadTokenSealer) -> None:
    with pytest.raises(ValueError, match="not sealed with this key"):
        other.unseal(SEALER.seal("secret"))


@pytest.mark.parametrize("sealed", ["", "not base64 !", "AAAA", "A" * 64])
def test_text_that_was_not_sealed_is_refused(sealed: str) -> None:
    with pytest.raises(ValueError, match="not sealed with this key"):
        SEALER.unseal(sealed)


def test_an_altered_sealed_text_is_refused() -> None:
    sealed = SEALER.seal("secret")
    altered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(ValueError, match="not sealed with this key"):
        SEALER.unseal(altered)


def test_an_empty_secret_key_is_refused() -> None:
    with pytest.raises(ValueError, match="secret key"):
        AeadTokenSealer(b"", "outbox link token")
