"""hash_token and derive_successor: how refresh tokens are stored and chained."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from domain.opaque_tokens import hash_token
from domain.sessions import derive_successor

KEY = b"unit-test-successor-key-32-bytes"
OTHER_KEY = b"another-successor-key-of-32-byte"
TOKEN = "an-opaque-refresh-token"

_tokens = st.text(min_size=1, max_size=200)
_keys = st.binary(min_size=32, max_size=64)


def test_the_stored_hash_is_64_lowercase_hex_characters() -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", hash_token(TOKEN))


def test_the_stored_hash_is_the_sha256_of_the_token() -> None:
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_the_stored_hash_differs_from_the_token() -> None:
    assert hash_token(TOKEN) != TOKEN


def test_the_successor_is_url_safe_and_unpadded() -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", derive_successor(TOKEN, KEY))


def test_the_successor_depends_on_the_key() -> None:
    assert derive_successor(TOKEN, KEY) != derive_successor(TOKEN, OTHER_KEY)


@given(_tokens)
def test_hashing_is_deterministic(token: str) -> None:
    assert hash_token(token) == hash_token(token)


@given(_tokens, _tokens)
def test_different_tokens_have_different_hashes(first: str, second: str) -> None:
    if first != second:
        assert hash_token(first) != hash_token(second)


@given(_tokens, _keys)
def test_the_successor_is_deterministic(token: str, key: bytes) -> None:
    assert derive_successor(token, key) == derive_successor(token, key)


@given(_tokens, _keys, _keys)
def test_the_successor_changes_with_the_key(token: str, key: bytes, other_key: bytes) -> None:
    if key != other_key:
        assert derive_successor(token, key) != derive_successor(token, other_key)


@given(_tokens, _keys)
def test_the_successor_differs_from_the_token_and_from_its_stored_hash(token: str, key: bytes) -> None:
    successor = derive_successor(token, key)

    assert successor != token
    assert successor != hash_token(token)


@given(_tokens, _keys)
def test_a_chain_of_successors_never_repeats_a_token(token: str, key: bytes) -> None:
    chain = [token]
    for _ in range(5):
        chain.append(derive_successor(chain[-1], key))

    assert len(set(chain)) == len(chain)
