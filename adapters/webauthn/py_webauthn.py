"""PyWebAuthnCeremonies: the WebAuthn ceremonies of one relying party, through py_webauthn."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.parse_authentication_credential_json import parse_authentication_credential_json
from webauthn.helpers.parse_registration_credential_json import parse_registration_credential_json
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from domain.errors import PasskeyRefusedError
from domain.passkeys import CREDENTIAL_ID_MAX_BYTES, WEBAUTHN_CHALLENGE_BYTES, WEBAUTHN_CHALLENGE_TTL
from domain.ports.webauthn import (
    AssertionClaim,
    CeremonyOptions,
    CredentialDescriptor,
    RegisteredCredential,
    VerifiedAssertion,
    WebAuthnCeremonies,
)

_T = TypeVar("_T")

# In order of preference: ES256, EdDSA, RS256 (what platform and roaming authenticators offer).
_ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
_USER_VERIFICATION = {True: UserVerificationRequirement.REQUIRED, False: UserVerificationRequirement.PREFERRED}
_KNOWN_TRANSPORTS = frozenset(transport.value for transport in AuthenticatorTransport)
_TIMEOUT_MS = int(WEBAUTHN_CHALLENGE_TTL.total_seconds() * 1000)
# A user handle is at most 64 bytes (WebAuthn section 5.4.3).
_USER_HANDLE_MAX_BYTES = 64
# Bounds on the encoded fields, checked before anything is decoded: generous for real
# authenticators (an attestation with a certificate chain is a few kilobytes), small enough that
# hostile input costs nothing.
_MAX_CHARS = {
    "clientDataJSON": 16 * 1024,
    "attestationObject": 64 * 1024,
    "authenticatorData": 16 * 1024,
    "signature": 2 * 1024,
    "userHandle": 4 * (_USER_HANDLE_MAX_BYTES + 2) // 3,
    "publicKey": 4 * 1024,
}
_OTHER_FIELD_MAX_CHARS = 1024
_CREDENTIAL_ID_MAX_CHARS = 4 * (CREDENTIAL_ID_MAX_BYTES + 2) // 3
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class PyWebAuthnCeremonies(WebAuthnCeremonies):
    """WebAuthn Level 3 JSON options and verification with py_webauthn 3.x.

    - Options are plain dicts (`options_to_json`'s output parsed back), with a 32-byte random
      challenge and a timeout equal to the lifetime of the server's challenge.
    - Responses must come from one of `origins` for `rp_id`. Every field is checked for its type,
      length and base64url alphabet before py_webauthn decodes it; any failure of py_webauthn, of
      its CBOR decoder or of the key parsing becomes `PasskeyRefusedError`.
    - A ceremony run in a cross-origin iframe (`crossOrigin` true, or a `topOrigin`) is refused.
    - Signature counters are not judged here: py_webauthn is given a stored count of 0 (which
      accepts any count) and the presented count is returned to the caller.
    """

    def __init__(self, *, rp_id: str, rp_name: str, origins: tuple[str, ...]) -> None:
        if not rp_id or not rp_name or not origins:
            raise ValueError("rp_id, rp_name and at least one origin are required")
        self._rp_id, self._rp_name, self._origins = rp_id, rp_name, list(origins)

    def registration_options(
        self, *, user_handle: bytes, user_name: str, display_name: str, exclude: Sequence[CredentialDescriptor]
    ) -> CeremonyOptions:
        challenge = secrets.token_bytes(WEBAUTHN_CHALLENGE_BYTES)
        options = generate_registration_options(
            rp_id=self._rp_id,
            rp_name=self._rp_name,
            user_id=user_handle,
            user_name=user_name,
            user_display_name=display_name,
            challenge=challenge,
            timeout=_TIMEOUT_MS,
            attestation=AttestationConveyancePreference.NONE,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.PREFERRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=_descriptors(exclude),
            supported_pub_key_algs=_ALGORITHMS,
        )
        return CeremonyOptions(challenge=challenge, options=json.loads(options_to_json(options)))

    def verify_registration(self, credential: Any, *, challenge: bytes) -> RegisteredCredential:
        raw_id = _credential_id(credential, ("clientDataJSON", "attestationObject"))
        parsed = _refusing(lambda: parse_registration_credential_json(credential))
        verified = _refusing(
            lambda: verify_registration_response(
                credential=parsed,
                expected_challenge=challenge,
                expected_rp_id=self._rp_id,
                expected_origin=self._origins,
                require_user_verification=True,
                supported_pub_key_algs=_ALGORITHMS,
            )
        )
        # py_webauthn does not compare the credential id of the authenticator data with rawId.
        if verified.credential_id != raw_id:
            raise PasskeyRefusedError
        transports = tuple(dict.fromkeys(transport.value for transport in parsed.response.transports or ()))
        return RegisteredCredential(
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
            backup_eligible=verified.credential_device_type is CredentialDeviceType.MULTI_DEVICE,
            backed_up=verified.credential_backed_up,
        )

    def authentication_options(
        self, *, allow: Sequence[CredentialDescriptor], user_verification_required: bool
    ) -> CeremonyOptions:
        challenge = secrets.token_bytes(WEBAUTHN_CHALLENGE_BYTES)
        options = generate_authentication_options(
            rp_id=self._rp_id,
            challenge=challenge,
            timeout=_TIMEOUT_MS,
            allow_credentials=_descriptors(allow),
            user_verification=_USER_VERIFICATION[user_verification_required],
        )
        return CeremonyOptions(challenge=challenge, options=json.loads(options_to_json(options)))

    def claim_of(self, credential: Any) -> AssertionClaim:
        credential_id = _credential_id(credential, ())
        user_handle = credential["response"].get("userHandle")
        if user_handle is None or user_handle == "":
            return AssertionClaim(credential_id=credential_id, user_handle=None)
        return AssertionClaim(credential_id=credential_id, user_handle=_field_bytes(user_handle, "userHandle"))

    def verify_authentication(
        self, credential: Any, *, challenge: bytes, public_key: bytes, user_verification_required: bool
    ) -> VerifiedAssertion:
        _credential_id(credential, ("clientDataJSON", "authenticatorData", "signature"))
        verified = _refusing(
            lambda: verify_authentication_response(
                credential=parse_authentication_credential_json(credential),
                expected_challenge=challenge,
                expected_rp_id=self._rp_id,
                expected_origin=self._origins,
                credential_public_key=public_key,
                credential_current_sign_count=0,
                require_user_verification=user_verification_required,
            )
        )
        return VerifiedAssertion(
            sign_count=verified.new_sign_count,
            backed_up=verified.credential_backed_up,
            user_verified=verified.user_verified,
        )


def _descriptors(credentials: Sequence[CredentialDescriptor]) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=credential.credential_id,
            transports=[AuthenticatorTransport(name) for name in credential.transports if name in _KNOWN_TRANSPORTS]
            or None,
        )
        for credential in credentials
    ]


def _refusing(step: Callable[[], _T]) -> _T:
    """Run one step of py_webauthn; whatever it raises on hostile input is a refusal. (Its own
    exceptions, but also ValueError, KeyError, TypeError or CBOR errors from deeper down.)"""
    try:
        return step()
    except PasskeyRefusedError:
        raise
    except Exception as exc:
        raise PasskeyRefusedError from exc


def _credential_id(credential: Any, required: tuple[str, ...]) -> bytes:
    """The raw credential id of a response after checking its shape: a `public-key` JSON object whose
    `id` and `rawId` encode the same bytes of at most CREDENTIAL_ID_MAX_BYTES, and whose `response`
    object has each `required` field; every encoded field present (required or not) must be
    base64url within its bound, and any other string within a general bound. A client data that is
    required must not come from a cross-origin iframe."""
    if not isinstance(credential, dict) or credential.get("type") != "public-key":
        raise PasskeyRefusedError
    response = credential.get("response")
    if not isinstance(response, dict) or any(name not in response for name in required):
        raise PasskeyRefusedError
    raw_id = _decoded(credential.get("rawId"), _CREDENTIAL_ID_MAX_CHARS)
    same_id = _decoded(credential.get("id"), _CREDENTIAL_ID_MAX_CHARS) == raw_id
    if not raw_id or len(raw_id) > CREDENTIAL_ID_MAX_BYTES or not same_id:
        raise PasskeyRefusedError
    for name, value in response.items():
        if name == "userHandle" and value in (None, ""):
            continue
        if name in _MAX_CHARS:
            if not _field_bytes(value, name) and name in required:
                raise PasskeyRefusedError
        elif isinstance(value, str) and len(value) > _OTHER_FIELD_MAX_CHARS:
            raise PasskeyRefusedError
    if "clientDataJSON" in required:
        _refuse_cross_origin(response["clientDataJSON"])
    return raw_id


def _refuse_cross_origin(encoded: str) -> None:
    """Bastion is never embedded in another site's frame, so a ceremony run in a cross-origin iframe
    (`crossOrigin` true, or a `topOrigin`) is refused; py_webauthn 3 does not look at either."""
    client_data = _refusing(lambda: json.loads(_field_bytes(encoded, "clientDataJSON")))
    if not isinstance(client_data, dict) or client_data.get("crossOrigin", False) is not False:
        raise PasskeyRefusedError
    if "topOrigin" in client_data:
        raise PasskeyRefusedError


def _field_bytes(value: Any, name: str) -> bytes:
    decoded = _decoded(value, _MAX_CHARS[name])
    if name == "userHandle" and len(decoded) > _USER_HANDLE_MAX_BYTES:
        raise PasskeyRefusedError
    return decoded


def _decoded(value: Any, max_chars: int) -> bytes:
    """Strict base64url (padding optional) of at most `max_chars` characters before padding."""
    if not isinstance(value, str) or len(value) > max_chars + 2 or not _BASE64URL.fullmatch(value):
        raise PasskeyRefusedError
    unpadded = value.rstrip("=")
    try:
        return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except (binascii.Error, ValueError) as exc:
        raise PasskeyRefusedError from exc
