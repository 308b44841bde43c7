"""Hostile input to the WebAuthn ceremonies: whatever arrives, `verify_registration`,
`verify_authentication` and `claim_of` raise PasskeyRefusedError and nothing else."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from collections.abc import Callable
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.webauthn.py_webauthn import PyWebAuthnCeremonies
from domain.errors import PasskeyRefusedError
from tests.webauthn_authenticator import SoftAuthenticator, b64url, cose_public_key, new_private_key

RP_ID = "bastion.example"
ORIGIN = "https://bastion.example"
CEREMONIES = PyWebAuthnCeremonies(rp_id=RP_ID, rp_name="Bastion", origins=(ORIGIN,))
CHALLENGE = bytes(32)
PUBLIC_KEY = cose_public_key(new_private_key("ES256"))


def _responses() -> tuple[dict[str, Any], dict[str, Any]]:
    authenticator = SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)
    options = {"challenge": b64url(CHALLENGE), "user": {"id": b64url(b"user")}, "rpId": RP_ID}
    registration, _ = authenticator.register(options)
    return registration, authenticator.authenticate(options)


REGISTRATION, ASSERTION = _responses()

VERIFIERS: dict[str, Callable[[Any], object]] = {
    "registration": lambda value: CEREMONIES.verify_registration(value, challenge=CHALLENGE),
    "authentication": lambda value: CEREMONIES.verify_authentication(
        value, challenge=CHALLENGE, public_key=PUBLIC_KEY, user_verification_required=True
    ),
    "claim": CEREMONIES.claim_of,
}

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=20,
)
FIELD_NAMES = ["id", "rawId", "type", "clientDataJSON", "attestationObject", "authenticatorData", "signature"]


def refused(verifier: Callable[[Any], object], value: Any) -> None:
    with pytest.raises(PasskeyRefusedError):
        verifier(value)


@pytest.mark.parametrize("verifier", VERIFIERS.values(), ids=VERIFIERS.keys())
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES)
def test_arbitrary_json_is_refused(verifier: Callable[[Any], object], value: Any) -> None:
    refused(verifier, value)


@pytest.mark.parametrize("verifier", VERIFIERS.values(), ids=VERIFIERS.keys())
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from([*FIELD_NAMES, "userHandle", "response"]), value=JSON_VALUES)
def test_a_genuine_response_with_one_field_replaced_raises_nothing_but_a_refusal(
    verifier: Callable[[Any], object], field: str, value: Any
) -> None:
    for genuine in (REGISTRATION, ASSERTION):
        tampered = copy.deepcopy(genuine)
        target = tampered if field in ("id", "rawId", "type", "response") else tampered["response"]
        target[field] = value
        with contextlib.suppress(PasskeyRefusedError):
            verifier(tampered)


@pytest.mark.parametrize("verifier", VERIFIERS.values(), ids=VERIFIERS.keys())
@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), field=st.sampled_from(FIELD_NAMES[3:]))
def test_random_bytes_in_an_encoded_field_are_refused(
    verifier: Callable[[Any], object], data: bytes, field: str
) -> None:
    for genuine in (REGISTRATION, ASSERTION):
        tampered = copy.deepcopy(genuine)
        tampered["response"][field] = b64url(data)
        with contextlib.suppress(PasskeyRefusedError):
            verifier(tampered)


@pytest.mark.parametrize("verifier", VERIFIERS.values(), ids=VERIFIERS.keys())
@pytest.mark.parametrize("field", FIELD_NAMES)
def test_a_ten_megabyte_field_is_refused(verifier: Callable[[Any], object], field: str) -> None:
    for genuine in (REGISTRATION, ASSERTION):
        tampered = copy.deepcopy(genuine)
        target = tampered if field in ("id", "rawId", "type") else tampered["response"]
        target[field] = "A" * 10_000_000
        refused(verifier, tampered)


@pytest.mark.parametrize("verifier", VERIFIERS.values(), ids=VERIFIERS.keys())
@pytest.mark.parametrize("field", ["id", "rawId", "clientDataJSON", "userHandle"])
def test_nul_bytes_are_refused(verifier: Callable[[Any], object], field: str) -> None:
    genuine = ASSERTION if field == "userHandle" else REGISTRATION
    tampered = copy.deepcopy(genuine)
    target = tampered if field in ("id", "rawId") else tampered["response"]
    target[field] = target[field][:4] + "\x00" + target[field][4:]

    refused(verifier, tampered)


def test_a_json_string_instead_of_an_object_is_refused() -> None:
    for verifier in VERIFIERS.values():
        refused(verifier, json.dumps(ASSERTION))


def test_padded_and_standard_base64_alphabets_are_not_mixed() -> None:
    tampered = copy.deepcopy(ASSERTION)
    tampered["rawId"] = base64.b64encode(b"\xfb\xff" * 20).decode()  # '+' and '/'

    refused(CEREMONIES.claim_of, tampered)


def test_an_attestation_object_of_bad_cbor_is_refused() -> None:
    tampered = copy.deepcopy(REGISTRATION)
    tampered["response"]["attestationObject"] = b64url(b"\xa3\x63fmt")

    refused(VERIFIERS["registration"], tampered)


def test_an_attestation_object_of_the_wrong_cbor_shape_is_refused() -> None:
    for shape in ([1, 2, 3], {"fmt": 1, "attStmt": [], "authData": "text"}, {"fmt": "none", "attStmt": {}}):
        tampered = copy.deepcopy(REGISTRATION)
        tampered["response"]["attestationObject"] = b64url(cbor2.dumps(shape))

        refused(VERIFIERS["registration"], tampered)


def test_a_stored_key_that_is_no_cose_key_is_refused() -> None:
    for public_key in (b"", b"\x00" * 77, cbor2.dumps({1: 2, 3: -7}), cbor2.dumps({1: 99, 3: -7, -1: 1})):
        with pytest.raises(PasskeyRefusedError):
            CEREMONIES.verify_authentication(
                ASSERTION, challenge=CHALLENGE, public_key=public_key, user_verification_required=False
            )
