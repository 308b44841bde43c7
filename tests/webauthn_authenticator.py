"""A software WebAuthn authenticator and client for tests: it answers the options our server hands
out with Level 3 JSON responses ('none' attestation), and lets a test tamper with every part that
the relying party must check (origin, RP id, challenge, type, flags, counter, user handle, key).

    authenticator = SoftAuthenticator(rp_id="example.org", origin="https://example.org")
    response, credential = authenticator.register(options.options)
    assertion = authenticator.authenticate(request_options.options)  # discoverable: the rp's newest credential

Built on `cryptography` and `cbor2` (a dependency of py_webauthn) only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any, Literal

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

Algorithm = Literal["ES256", "EdDSA"]
PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

# Authenticator data flags (WebAuthn section 6.1).
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
_AAGUID_NONE = bytes(16)


class ExcludedCredentialError(Exception):
    """The options exclude a credential this authenticator holds (a browser's InvalidStateError)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_private_key(alg: Algorithm = "ES256") -> PrivateKey:
    """A fresh key of `alg`: P-256 for ES256, Ed25519 for EdDSA."""
    return ec.generate_private_key(ec.SECP256R1()) if alg == "ES256" else ed25519.Ed25519PrivateKey.generate()


def cose_public_key(private_key: PrivateKey) -> bytes:
    """The COSE_Key (RFC 9053) of the public half of `private_key`."""
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cbor2.dumps({1: 1, 3: -8, -1: 6, -2: raw})  # OKP, EdDSA, Ed25519, x
    numbers = private_key.public_key().public_numbers()
    return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})


def sign(private_key: PrivateKey, data: bytes) -> bytes:
    """A WebAuthn signature: DER ECDSA with SHA-256 for ES256, raw Ed25519 for EdDSA."""
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key.sign(data)
    return private_key.sign(data, ec.ECDSA(hashes.SHA256()))


@dataclass(slots=True, kw_only=True)
class SoftCredential:
    """A credential held by the soft authenticator. `counts` False keeps the counter at 0, as synced
    passkeys do; `sign_count` is the last counter used."""

    credential_id: bytes
    rp_id: str
    user_handle: bytes
    alg: Algorithm
    private_key: PrivateKey
    sign_count: int = 0
    counts: bool = True
    backup_eligible: bool = False
    backed_up: bool = False
    transports: tuple[str, ...] = ("internal",)

    @property
    def public_key(self) -> bytes:
        """The COSE public key, as the relying party stores it."""
        return cose_public_key(self.private_key)


@dataclass(slots=True)
class SoftAuthenticator:
    """A platform authenticator and its browser, for one origin and RP id (both overridable per call)."""

    rp_id: str
    origin: str
    credentials: list[SoftCredential] = field(default_factory=list)

    def register(
        self,
        options: dict[str, Any],
        *,
        alg: Algorithm = "ES256",
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: bytes | None = None,
        client_data_type: str = "webauthn.create",
        user_present: bool = True,
        user_verified: bool = True,
        backup_eligible: bool = False,
        backed_up: bool = False,
        sign_count: int = 0,
        counts: bool = True,
        credential_id: bytes | None = None,
        transports: tuple[str, ...] = ("internal",),
        client_data_fields: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], SoftCredential]:
        """Answer `PublicKeyCredentialCreationOptionsJSON` with a `RegistrationResponseJSON`.

        Raises:
            ExcludedCredentialError: the options exclude a credential held here.
        """
        excluded = {b64url_decode(item["id"]) for item in options.get("excludeCredentials", [])}
        if any(held.credential_id in excluded for held in self.credentials):
            raise ExcludedCredentialError
        credential = SoftCredential(
            credential_id=credential_id or secrets.token_bytes(32),
            rp_id=rp_id or self.rp_id,
            user_handle=b64url_decode(options["user"]["id"]),
            alg=alg,
            private_key=new_private_key(alg),
            sign_count=sign_count,
            counts=counts,
            backup_eligible=backup_eligible,
            backed_up=backed_up,
            transports=transports,
        )
        flags = _flags(user_present, user_verified, backup_eligible, backed_up) | AT
        attested = _AAGUID_NONE + struct.pack(">H", len(credential.credential_id)) + credential.credential_id
        authenticator_data = _authenticator_data(credential.rp_id, flags, sign_count) + attested
        authenticator_data += credential.public_key
        attestation_object = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": authenticator_data})
        client_data = self._client_data(client_data_type, options, challenge, origin, client_data_fields)
        public_key_der = credential.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        response = {
            "clientDataJSON": b64url(client_data),
            "attestationObject": b64url(attestation_object),
            "authenticatorData": b64url(authenticator_data),
            "transports": list(transports),
            "publicKeyAlgorithm": -7 if alg == "ES256" else -8,
            "publicKey": b64url(public_key_der),
        }
        self.credentials.append(credential)
        return _public_key_credential(credential.credential_id, response), credential

    def authenticate(
        self,
        options: dict[str, Any],
        credential: SoftCredential | None = None,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: bytes | None = None,
        client_data_type: str = "webauthn.get",
        user_present: bool = True,
        user_verified: bool = True,
        sign_count: int | None = None,
        user_handle: bytes | None = None,
        omit_user_handle: bool = False,
        signing_key: PrivateKey | None = None,
        client_data_fields: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Answer `PublicKeyCredentialRequestOptionsJSON` with an `AuthenticationResponseJSON`.

        Without `credential`, the first held credential named in `allowCredentials` answers, or with
        an empty allow list the newest credential of the RP id (a discoverable credential).
        `sign_count` None increments the credential's counter (unless it does not count); a number
        is used as given. `user_handle` replaces the credential's; `signing_key` signs instead of
        the credential's key; `client_data_fields` are added to (or replace those of) the client data.

        Raises:
            LookupError: no credential held here can answer.
        """
        chosen = credential or self._choose(options)
        if sign_count is None:
            sign_count = chosen.sign_count + 1 if chosen.counts else chosen.sign_count
        chosen.sign_count = sign_count
        flags = _flags(user_present, user_verified, chosen.backup_eligible, chosen.backed_up)
        authenticator_data = _authenticator_data(rp_id or chosen.rp_id, flags, sign_count)
        client_data = self._client_data(client_data_type, options, challenge, origin, client_data_fields)
        signature = sign(signing_key or chosen.private_key, authenticator_data + hashlib.sha256(client_data).digest())
        response: dict[str, Any] = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(authenticator_data),
            "signature": b64url(signature),
            "userHandle": None if omit_user_handle else b64url(user_handle or chosen.user_handle),
        }
        return _public_key_credential(chosen.credential_id, response)

    def _choose(self, options: dict[str, Any]) -> SoftCredential:
        allowed = [b64url_decode(item["id"]) for item in options.get("allowCredentials", [])]
        rp_id = options.get("rpId", self.rp_id)
        for held in reversed(self.credentials):
            if (held.credential_id in allowed) if allowed else held.rp_id == rp_id:
                return held
        raise LookupError("no credential of this authenticator answers these options")

    def _client_data(
        self,
        kind: str,
        options: dict[str, Any],
        challenge: bytes | None,
        origin: str | None,
        fields: dict[str, Any] | None = None,
    ) -> bytes:
        encoded_challenge = b64url(challenge) if challenge is not None else options["challenge"]
        client_data = {
            "type": kind,
            "challenge": encoded_challenge,
            "origin": origin or self.origin,
            "crossOrigin": False,
        }
        return json.dumps(client_data | (fields or {}), separators=(",", ":")).encode()


def _flags(user_present: bool, user_verified: bool, backup_eligible: bool, backed_up: bool) -> int:
    return (
        (UP if user_present else 0)
        | (UV if user_verified else 0)
        | (BE if backup_eligible else 0)
        | (BS if backed_up else 0)
    )


def _authenticator_data(rp_id: str, flags: int, sign_count: int) -> bytes:
    return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", sign_count)


def _public_key_credential(credential_id: bytes, response: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": b64url(credential_id),
        "rawId": b64url(credential_id),
        "type": "public-key",
        "response": response,
        "clientExtensionResults": {},
        "authenticatorAttachment": "platform",
    }
