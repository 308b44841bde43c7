"""Independent evidence: the adapter accepts responses of real authenticators (py_webauthn's own test
vectors, in webauthn_vectors.py), and py_webauthn itself, called directly, accepts what the soft
authenticator makes, so the soft authenticator is not merely agreeing with our adapter."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from webauthn import verify_authentication_response, verify_registration_response

from adapters.webauthn.py_webauthn import PyWebAuthnCeremonies
from domain.errors import PasskeyRefusedError
from tests.unit.adapters import webauthn_vectors as vectors
from tests.webauthn_authenticator import SoftAuthenticator, b64url, b64url_decode

CEREMONIES = PyWebAuthnCeremonies(rp_id=vectors.RP_ID, rp_name="Bastion", origins=(vectors.ORIGIN,))


def verify(vector: dict[str, Any], *, user_verification_required: bool) -> Any:
    return CEREMONIES.verify_authentication(
        vector["credential"],
        challenge=b64url_decode(vector["challenge"]),
        public_key=b64url_decode(vector["public_key"]),
        user_verification_required=user_verification_required,
    )


def test_a_none_attestation_registration_of_a_real_authenticator_is_accepted() -> None:
    vector = vectors.NONE_ES256_REGISTRATION

    stored = CEREMONIES.verify_registration(vector["credential"], challenge=b64url_decode(vector["challenge"]))

    assert stored.credential_id == b64url_decode(vector["credential"]["rawId"])
    assert stored.public_key == b64url_decode(vector["public_key"])
    assert (stored.sign_count, stored.backup_eligible, stored.backed_up) == (23, False, False)


@pytest.mark.parametrize(
    ("vector", "sign_count", "user_verified"),
    [
        (vectors.ES256_ASSERTION, 78, False),
        (vectors.RS256_ASSERTION, 1, True),
        (vectors.EDDSA_ASSERTION, 7, False),
        (vectors.ES256_ASSERTION_WITH_USER_HANDLE, 1625263266, True),
    ],
    ids=["ES256", "RS256", "EdDSA", "ES256 with user handle"],
)
def test_assertions_of_real_authenticators_are_accepted(
    vector: dict[str, Any], sign_count: int, user_verified: bool
) -> None:
    verified = verify(vector, user_verification_required=user_verified)

    assert (verified.sign_count, verified.user_verified, verified.backed_up) == (sign_count, user_verified, False)


def test_the_claim_of_a_real_assertion_names_its_credential_and_user() -> None:
    credential = vectors.ES256_ASSERTION_WITH_USER_HANDLE["credential"]

    claim = CEREMONIES.claim_of(credential)

    assert claim.credential_id == b64url_decode(credential["rawId"])
    assert claim.user_handle == b64url_decode(credential["response"]["userHandle"])


def test_a_real_assertion_without_user_verification_is_refused_when_it_is_required() -> None:
    with pytest.raises(PasskeyRefusedError):
        verify(vectors.ES256_ASSERTION_WITHOUT_UV, user_verification_required=True)


def test_a_real_assertion_is_refused_against_another_credential_s_key() -> None:
    vector = vectors.ES256_ASSERTION | {"public_key": vectors.RS256_ASSERTION["public_key"]}

    with pytest.raises(PasskeyRefusedError):
        verify(vector, user_verification_required=False)


def test_a_real_assertion_is_refused_for_another_relying_party() -> None:
    other = PyWebAuthnCeremonies(rp_id="example.org", rp_name="Other", origins=(vectors.ORIGIN,))
    vector = vectors.RS256_ASSERTION

    with pytest.raises(PasskeyRefusedError):
        other.verify_authentication(
            vector["credential"],
            challenge=b64url_decode(vector["challenge"]),
            public_key=b64url_decode(vector["public_key"]),
            user_verification_required=False,
        )


def test_a_real_assertion_with_a_flipped_signature_bit_is_refused() -> None:
    vector = copy.deepcopy(vectors.EDDSA_ASSERTION)
    signature = bytearray(b64url_decode(vector["credential"]["response"]["signature"]))
    signature[10] ^= 1
    vector["credential"]["response"]["signature"] = b64url(bytes(signature))

    with pytest.raises(PasskeyRefusedError):
        verify(vector, user_verification_required=False)


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_py_webauthn_itself_accepts_the_soft_authenticator(alg: Any) -> None:
    authenticator = SoftAuthenticator(rp_id="localhost", origin="http://localhost:5000")
    creation = {"challenge": "Y3JlYXRl", "user": {"id": "dXNlcg"}, "rp": {"id": "localhost"}}
    response, credential = authenticator.register(creation, alg=alg, backup_eligible=True)

    registration = verify_registration_response(
        credential=response,
        expected_challenge=b"create",
        expected_rp_id="localhost",
        expected_origin="http://localhost:5000",
        require_user_verification=True,
    )
    assertion = authenticator.authenticate({"challenge": "Z2V0", "rpId": "localhost", "allowCredentials": []})
    authentication = verify_authentication_response(
        credential=assertion,
        expected_challenge=b"get",
        expected_rp_id="localhost",
        expected_origin="http://localhost:5000",
        credential_public_key=registration.credential_public_key,
        credential_current_sign_count=0,
        require_user_verification=True,
    )

    assert registration.fmt == "none"
    assert registration.aaguid == "00000000-0000-0000-0000-000000000000"
    assert registration.credential_id == credential.credential_id
    assert registration.credential_device_type == "multi_device"
    assert authentication.new_sign_count == 1
    assert authentication.user_verified
    assert assertion["response"]["userHandle"] == "dXNlcg"
