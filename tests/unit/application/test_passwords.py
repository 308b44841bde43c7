"""NfcPasswordHasher: the inner hasher sees NFC only, hashes made before still verify and are upgraded,
and a password not in NFC costs the same work for known and unknown accounts. NewPasswordRules: the
policy first, the breach check on the NFC form."""

from __future__ import annotations

import unicodedata

import pytest

from adapters.memory.breached_passwords import MemoryBreachedPasswords
from adapters.memory.hasher import MemoryPasswordHasher
from application.passwords import NewPasswordRules, NfcPasswordHasher
from domain.errors import ValidationFailedError
from domain.passwords import BREACHED_PASSWORD, PasswordPolicy

NFC = unicodedata.normalize("NFC", "Crème-Brûlée-9")
NFD = unicodedata.normalize("NFD", NFC)


def test_the_two_forms_differ() -> None:
    assert NFC != NFD


async def test_a_password_hashed_in_one_form_verifies_in_the_other() -> None:
    hasher = NfcPasswordHasher(MemoryPasswordHasher())
    for stored, typed in [(NFC, NFD), (NFD, NFC), (NFD, NFD)]:
        check = await hasher.verify(typed, await hasher.hash(stored))
        assert check.ok
        assert check.upgraded_hash is None


async def test_the_inner_hasher_only_ever_hashes_the_nfc_form() -> None:
    inner = MemoryPasswordHasher()
    assert await NfcPasswordHasher(inner).hash(NFD) == await inner.hash(NFC)


async def test_a_hash_of_a_decomposed_password_made_before_normalisation_verifies_and_is_upgraded() -> None:
    inner = MemoryPasswordHasher()
    hasher = NfcPasswordHasher(inner)
    legacy_hash = await inner.hash(NFD)

    check = await hasher.verify(NFD, legacy_hash)

    assert check.ok
    assert check.upgraded_hash == await inner.hash(NFC)
    assert not (await hasher.verify(NFC, legacy_hash)).ok  # typed as stored: only that form was ever right


async def test_a_password_not_in_nfc_costs_as_many_checks_for_unknown_as_for_known_accounts() -> None:
    inner = MemoryPasswordHasher()
    hasher = NfcPasswordHasher(inner)
    stored = await hasher.hash("Another-Horse-7")
    for typed in (NFD, NFC):
        inner.verify_calls = 0
        await hasher.verify(typed, stored)
        known = inner.verify_calls
        inner.verify_calls = 0
        await hasher.verify_dummy(typed)
        assert inner.verify_calls == known


async def test_new_password_rules_check_the_policy_and_ask_about_the_nfc_form() -> None:
    breaches = MemoryBreachedPasswords({NFC})
    rules = NewPasswordRules(PasswordPolicy(), breaches)
    rules.check(NFD, field_name="new_password")

    with pytest.raises(ValidationFailedError) as caught:
        await rules.check_not_breached(NFD, field_name="new_password")

    assert [(error.field, error.message) for error in caught.value.errors] == [("new_password", BREACHED_PASSWORD)]
    assert breaches.asked == [NFC]
    await rules.check_not_breached("Another-Horse-7", field_name="new_password")
