"""HmacApiKeyCodec: keys carry 256 random bits and a tag only this service can compute."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.crypto.api_key_codec import HmacApiKeyCodec
from domain.api_keys import API_KEY_LENGTH, is_api_key_shaped, split_key

SECRET = b"s" * 48


def test_a_minted_key_is_shaped_and_genuine_and_each_is_new() -> None:
    codec = HmacApiKeyCodec(SECRET)
    keys = {codec.new_key() for _ in range(100)}

    assert len(keys) == 100
    assert all(is_api_key_shaped(key) and len(key) == API_KEY_LENGTH and codec.is_genuine(key) for key in keys)


def test_another_secret_or_any_changed_character_makes_a_key_a_forgery() -> None:
    codec = HmacApiKeyCodec(SECRET)
    key = codec.new_key()
    body, tag = split_key(key)

    assert not HmacApiKeyCodec(b"t" * 48).is_genuine(key)
    for position in range(4, len(key)):
        changed = key[:position] + ("A" if key[position] != "A" else "B") + key[position + 1 :]
        assert not codec.is_genuine(changed)
    assert not codec.is_genuine(body + "A" * len(tag))


@given(st.text(max_size=100))
def test_arbitrary_text_is_never_genuine(text: str) -> None:
    assert not HmacApiKeyCodec(SECRET).is_genuine(text)
