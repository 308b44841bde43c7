"""The port of the WebAuthn ceremonies: options for the browser, and the verification of what the
authenticator answered (registration and assertion), for one relying party.

The options and the responses are in the WebAuthn Level 3 JSON serialisation
(`PublicKeyCredentialCreationOptionsJSON`, `PublicKeyCredentialRequestOptionsJSON`,
`RegistrationResponseJSON`, `AuthenticationResponseJSON`): plain JSON values, so the HTTP layer
passes them through unchanged.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class CredentialDescriptor:
    """A credential named in options (`excludeCredentials`, `allowCredentials`)."""

    credential_id: bytes
    transports: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CeremonyOptions:
    """Options to hand to `navigator.credentials`, and the random challenge they carry (kept by the
    server to check the answer against)."""

    challenge: bytes
    options: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RegisteredCredential:
    """A verified registration: what is stored of the new credential."""

    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: tuple[str, ...]
    backup_eligible: bool
    backed_up: bool


@dataclass(frozen=True, slots=True)
class AssertionClaim:
    """What an assertion says it is, read before any verification: the credential it names and the
    user handle it carries (None when the authenticator sent none)."""

    credential_id: bytes
    user_handle: bytes | None


@dataclass(frozen=True, slots=True)
class VerifiedAssertion:
    """A verified assertion: the authenticator's new signature counter and flags."""

    sign_count: int
    backed_up: bool
    user_verified: bool


class WebAuthnCeremonies(Protocol):
    """WebAuthn for one relying party (its id, name, and the origins it accepts).

    Every `verify_*` and `claim_of` raises `PasskeyRefusedError` for anything it does not accept:
    malformed JSON shapes or encodings, a wrong type, origin, RP id hash or challenge, a bad
    signature or attestation, a missing user-presence flag, or a missing user-verification flag
    when it is required. It never raises anything else for hostile input.
    """

    @abstractmethod
    def registration_options(
        self, *, user_handle: bytes, user_name: str, display_name: str, exclude: Sequence[CredentialDescriptor]
    ) -> CeremonyOptions:
        """Creation options with a fresh random challenge: resident key preferred, user verification
        required, attestation `none`, ES256, EdDSA and RS256 accepted, `exclude` excluded."""

    @abstractmethod
    def verify_registration(self, credential: Any, *, challenge: bytes) -> RegisteredCredential:
        """The credential of a `RegistrationResponseJSON` made for `challenge`, verified (user
        verification required)."""

    @abstractmethod
    def authentication_options(
        self, *, allow: Sequence[CredentialDescriptor], user_verification_required: bool
    ) -> CeremonyOptions:
        """Request options with a fresh random challenge; an empty `allow` asks for a discoverable
        credential (passwordless)."""

    @abstractmethod
    def claim_of(self, credential: Any) -> AssertionClaim:
        """The credential id and user handle an `AuthenticationResponseJSON` names, unverified."""

    @abstractmethod
    def verify_authentication(
        self, credential: Any, *, challenge: bytes, public_key: bytes, user_verification_required: bool
    ) -> VerifiedAssertion:
        """The assertion verified against `challenge` and the stored COSE `public_key`. The signature
        counter is returned, not judged: the caller compares it with the stored one."""
