"""The WebAuthn ceremonies through py_webauthn: the options handed out, round trips with the soft
authenticator, refusals of everything a relying party must refuse, and responses of real
authenticators (py_webauthn's own vectors) as independent evidence for both the adapter and the
soft authenticator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.webauthn.py_webauthn import PyWebAuthnCeremonies
from domain.errors import PasskeyRefusedError
from domain.passkeys import CREDENTIAL_ID_MAX_BYTES
from domain.ports.webauthn import CredentialDescriptor, RegisteredCredential, VerifiedAssertion
from tests.webauthn_authenticator import (
    ExcludedCredentialError,
    SoftAuthenticator,
    SoftCredential,
    b64url,
    b64url_decode,
    new_private_key,
)

RP_ID = "bastion.example"
ORIGIN = "https://bastion.example"
USER_HANDLE = bytes(range(16))


@pytest.fixture
def ceremonies() -> PyWebAuthnCeremonies:
    return PyWebAuthnCeremonies(rp_id=RP_ID, rp_name="Bastion", origins=(ORIGIN, "https://login.bastion.example"))


@pytest.fixture
def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)


def registered(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator, **options: Any
) -> tuple[RegisteredCredential, SoftCredential]:
    ceremony = ceremonies.registration_options(user_handle=USER_HANDLE, user_name="ada", display_name="Ada", exclude=())
    response, credential = authenticator.register(ceremony.options, **options)
    return ceremonies.verify_registration(response, challenge=ceremony.challenge), credential


def asserted(
    ceremonies: PyWebAuthnCeremonies,
    authenticator: SoftAuthenticator,
    stored: RegisteredCredential,
    *,
    required: bool = True,
    **assertion_options: Any,
) -> VerifiedAssertion:
    """The verified answer of the authenticator to fresh request options."""
    request = ceremonies.authentication_options(allow=(), user_verification_required=required)
    assertion = authenticator.authenticate(request.options, **assertion_options)
    return ceremonies.verify_authentication(
        assertion, challenge=request.challenge, public_key=stored.public_key, user_verification_required=required
    )


def test_registration_options_ask_for_a_verified_preferably_resident_key_without_attestation(
    ceremonies: PyWebAuthnCeremonies,
) -> None:
    excluded = CredentialDescriptor(credential_id=b"\x01\x02", transports=("usb", "not-a-transport"))
    ceremony = ceremonies.registration_options(
        user_handle=USER_HANDLE, user_name="ada@example.org", display_name="Ada", exclude=[excluded]
    )
    options = ceremony.options

    assert json.loads(json.dumps(options)) == options
    assert options["rp"] == {"id": RP_ID, "name": "Bastion"}
    assert options["user"] == {"id": b64url(USER_HANDLE), "name": "ada@example.org", "displayName": "Ada"}
    assert b64url_decode(options["challenge"]) == ceremony.challenge
    assert len(ceremony.challenge) == 32
    assert [param["alg"] for param in options["pubKeyCredParams"]] == [-7, -8, -257]
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert options["excludeCredentials"] == [{"id": "AQI", "type": "public-key", "transports": ["usb"]}]


def test_every_ceremony_gets_a_fresh_challenge(ceremonies: PyWebAuthnCeremonies) -> None:
    challenges = {
        ceremonies.authentication_options(allow=(), user_verification_required=True).challenge for _ in range(20)
    }

    assert len(challenges) == 20


def test_authentication_options_for_a_discoverable_credential_allow_any(ceremonies: PyWebAuthnCeremonies) -> None:
    options = ceremonies.authentication_options(allow=(), user_verification_required=True).options

    assert options["rpId"] == RP_ID
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"


def test_authentication_options_for_a_second_factor_name_the_credentials(ceremonies: PyWebAuthnCeremonies) -> None:
    allow = [CredentialDescriptor(b"\xff" * 3, ("internal", "hybrid")), CredentialDescriptor(b"\x00", ())]
    options = ceremonies.authentication_options(allow=allow, user_verification_required=False).options

    assert options["allowCredentials"] == [
        {"id": "____", "type": "public-key", "transports": ["internal", "hybrid"]},
        {"id": "AA", "type": "public-key"},
    ]
    assert options["userVerification"] == "preferred"


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_a_registration_and_an_assertion_round_trip(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator, alg: Any
) -> None:
    stored, credential = registered(ceremonies, authenticator, alg=alg, transports=("internal", "hybrid"))
    request = ceremonies.authentication_options(allow=(), user_verification_required=True)
    assertion = authenticator.authenticate(request.options)

    claim = ceremonies.claim_of(assertion)
    verified = ceremonies.verify_authentication(
        assertion, challenge=request.challenge, public_key=stored.public_key, user_verification_required=True
    )

    assert stored.credential_id == credential.credential_id == claim.credential_id
    assert stored.public_key == credential.public_key
    assert stored.transports == ("internal", "hybrid")
    assert (stored.sign_count, stored.backup_eligible, stored.backed_up) == (0, False, False)
    assert claim.user_handle == USER_HANDLE
    assert (verified.sign_count, verified.user_verified, verified.backed_up) == (1, True, False)


def test_backup_flags_of_a_synced_passkey_are_reported(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator
) -> None:
    stored, credential = registered(ceremonies, authenticator, backup_eligible=True, backed_up=True, counts=False)
    verified = asserted(ceremonies, authenticator, stored, credential=credential)

    assert (stored.backup_eligible, stored.backed_up) == (True, True)
    assert (verified.sign_count, verified.backed_up) == (0, True)


def test_the_sign_count_is_returned_as_presented_even_when_it_went_backwards(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator
) -> None:
    stored, credential = registered(ceremonies, authenticator, sign_count=500)

    verified = asserted(ceremonies, authenticator, stored, credential=credential, sign_count=3)

    assert stored.sign_count == 500
    assert verified.sign_count == 3


def test_an_assertion_without_user_verification_passes_only_when_it_is_not_required(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator
) -> None:
    stored, credential = registered(ceremonies, authenticator)
    request = ceremonies.authentication_options(
        allow=[CredentialDescriptor(credential.credential_id)], user_verification_required=False
    )
    assertion = authenticator.authenticate(request.options, user_verified=False)

    verified = ceremonies.verify_authentication(
        assertion, challenge=request.challenge, public_key=stored.public_key, user_verification_required=False
    )
    assert verified.user_verified is False
    with pytest.raises(PasskeyRefusedError):
        ceremonies.verify_authentication(
            assertion, challenge=request.challenge, public_key=stored.public_key, user_verification_required=True
        )


def test_another_origin_of_the_relying_party_is_accepted(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator
) -> None:
    stored, _ = registered(ceremonies, authenticator, origin="https://login.bastion.example")

    assert stored.sign_count == 0


REGISTRATION_TAMPERING: dict[str, dict[str, Any]] = {
    "wrong origin": {"origin": "https://evil.example"},
    "wrong RP id": {"rp_id": "evil.example"},
    "wrong challenge": {"challenge": b"\x00" * 32},
    "assertion type": {"client_data_type": "webauthn.get"},
    "no user verification": {"user_verified": False},
    "no user presence": {"user_present": False},
    "credential id too long": {"credential_id": b"\x01" * (CREDENTIAL_ID_MAX_BYTES + 1)},
    "cross-origin iframe": {"client_data_fields": {"crossOrigin": True}},
}


@pytest.mark.parametrize("tampering", REGISTRATION_TAMPERING.values(), ids=REGISTRATION_TAMPERING.keys())
def test_a_tampered_registration_is_refused(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator, tampering: dict[str, Any]
) -> None:
    with pytest.raises(PasskeyRefusedError):
        registered(ceremonies, authenticator, **tampering)


def test_a_registration_answering_the_options_of_another_ceremony_is_refused(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator
) -> None:
    first = ceremonies.registration_options(user_handle=USER_HANDLE, user_name="ada", display_name="Ada", exclude=())
    second = ceremonies.registration_options(user_handle=USER_HANDLE, user_name="ada", display_name="Ada", exclude=())
    response, _ = authenticator.register(first.options)

    with pytest.raises(PasskeyRefusedError):
        ceremonies.verify_registration(response, challenge=second.challenge)


def test_a_registration_whose_raw_id_is_not_the_attested_credential_is_refused(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator
) -> None:
    ceremony = ceremonies.registration_options(user_handle=USER_HANDLE, user_name="ada", display_name="Ada", exclude=())
    response, _ = authenticator.register(ceremony.options)
    response["id"] = response["rawId"] = b64url(b"someone else's credential")

    with pytest.raises(PasskeyRefusedError):
        ceremonies.verify_registration(response, challenge=ceremony.challenge)


ASSERTION_TAMPERING: dict[str, dict[str, Any]] = {
    "wrong origin": {"origin": "https://evil.example"},
    "wrong RP id": {"rp_id": "evil.example"},
    "wrong challenge": {"challenge": b"\x00" * 32},
    "registration type": {"client_data_type": "webauthn.create"},
    "no user verification": {"user_verified": False},
    "no user presence": {"user_present": False},
    "another key": {"signing_key": new_private_key("ES256")},
    "client data edited after signing": {"client_data_fields": {"origin": ORIGIN + ":443"}},
    "cross-origin iframe": {"client_data_fields": {"crossOrigin": True, "topOrigin": "https://evil.example"}},
}


@pytest.mark.parametrize("tampering", ASSERTION_TAMPERING.values(), ids=ASSERTION_TAMPERING.keys())
def test_a_tampered_assertion_is_refused(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator, tampering: dict[str, Any]
) -> None:
    stored, _ = registered(ceremonies, authenticator)

    with pytest.raises(PasskeyRefusedError):
        asserted(ceremonies, authenticator, stored, **tampering)


def test_the_claim_of_an_assertion_without_user_handle_names_none(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator
) -> None:
    registered(ceremonies, authenticator)
    options = ceremonies.authentication_options(allow=(), user_verification_required=True).options

    assert ceremonies.claim_of(authenticator.authenticate(options, omit_user_handle=True)).user_handle is None


def test_the_soft_authenticator_refuses_options_that_exclude_its_credential(
    ceremonies: PyWebAuthnCeremonies, authenticator: SoftAuthenticator
) -> None:
    stored, _ = registered(ceremonies, authenticator)
    excluded = CredentialDescriptor(stored.credential_id, stored.transports)
    again = ceremonies.registration_options(
        user_handle=USER_HANDLE, user_name="ada", display_name="Ada", exclude=[excluded]
    )

    with pytest.raises(ExcludedCredentialError):
        authenticator.register(again.options)
