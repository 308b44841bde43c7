"""The bodies of the social login routes and of the linked identities."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from domain.identities import Identity
from entrypoints.http.field_types import DeviceToken, OpaqueToken


class ProviderResponse(msgspec.Struct, frozen=True):
    name: Annotated[str, msgspec.Meta(description="The provider's name in the routes (`google`, `github`, ...).")]
    display_name: Annotated[str, msgspec.Meta(description="What a sign-in button shows.")]


class LoginCodeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[
        OpaqueToken,
        msgspec.Meta(description="The one-time `code` of the callback's fragment: valid 60 seconds, single use."),
    ]
    device_token: DeviceToken | None = None


class AuthorizeUrlResponse(msgspec.Struct, frozen=True):
    authorize_url: Annotated[
        str, msgspec.Meta(description="Send the user's browser here; it comes back to `redirect_uri`.")
    ]


class IdentityResponse(msgspec.Struct, frozen=True):
    id: str
    provider: str
    email: Annotated[str | None, msgspec.Meta(description="The email the provider gave when it was linked.")]
    created_at: datetime

    @classmethod
    def of(cls, identity: Identity) -> IdentityResponse:
        return cls(id=identity.id, provider=identity.provider, email=identity.email, created_at=identity.created_at)
