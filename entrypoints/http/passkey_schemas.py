"""The bodies of the passkey routes. Options and credentials are the WebAuthn Level 3 JSON
serialisation, passed through as JSON objects: the use cases judge them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from application.passkeys.passkey_ceremonies import PasskeyOptions
from domain.passkeys import Passkey
from entrypoints.http.field_types import DeviceToken, OpaqueToken, PasskeyName, Password

Credential = Annotated[
    dict[str, Any],
    msgspec.Meta(description="The `PublicKeyCredential` as its `toJSON()` gives it (WebAuthn Level 3)."),
]
ChallengeId = Annotated[OpaqueToken, msgspec.Meta(description="The `challenge_id` of the options answered.")]


class PasskeyResponse(msgspec.Struct, frozen=True):
    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, passkey: Passkey) -> PasskeyResponse:
        return cls(id=passkey.id, name=passkey.name, created_at=passkey.created_at, last_used_at=passkey.last_used_at)


class PasswordConfirmationRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    password: Password


class PasskeyOptionsResponse(msgspec.Struct, frozen=True):
    challenge_id: str
    options: Annotated[
        dict[str, Any],
        msgspec.Meta(
            description="For `PublicKeyCredential.parseCreationOptionsFromJSON` or `parseRequestOptionsFromJSON`."
        ),
    ]

    @classmethod
    def of(cls, begun: PasskeyOptions) -> PasskeyOptionsResponse:
        return cls(challenge_id=begun.challenge_id, options=begun.options)


class PasskeyRegisterRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    challenge_id: ChallengeId
    credential: Credential
    name: PasskeyName | None = None


class PasskeyRenameRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: PasskeyName


class PasskeyLoginOptionsRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Nothing: a passwordless login names no account."""


class PasskeyLoginRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    challenge_id: ChallengeId
    credential: Credential
    device_token: DeviceToken | None = None


class MfaPasskeyOptionsRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    mfa_token: OpaqueToken


class MfaPasskeyOptionsResponse(msgspec.Struct, frozen=True):
    options: Annotated[
        dict[str, Any], msgspec.Meta(description="For `PublicKeyCredential.parseRequestOptionsFromJSON`.")
    ]
