"""Conversions between the rows of `identities` and `oauth_flows` and `Identity` and `OAuthFlow`
(apart from `mapping.py`, which is long enough)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.identities import FlowPurpose, Identity, IdentityId, OAuthFlow
from domain.ids import UserId


def identity_to_row(identity: Identity) -> dict[str, Any]:
    return {
        "id": identity.id,
        "user_id": identity.user_id,
        "provider": identity.provider,
        "issuer": identity.issuer,
        "subject": identity.subject,
        "email": identity.email,
        "created_at": identity.created_at,
    }


def identity_from_row(row: Mapping[str, Any]) -> Identity:
    return Identity(
        id=IdentityId(row["id"]),
        user_id=UserId(row["user_id"]),
        provider=row["provider"],
        issuer=row["issuer"],
        subject=row["subject"],
        email=row["email"],
        created_at=row["created_at"],
    )


def oauth_flow_to_row(flow: OAuthFlow) -> dict[str, Any]:
    return {
        "state_hash": flow.state_hash,
        "provider": flow.provider,
        "purpose": flow.purpose.value,
        "redirect_uri": flow.redirect_uri,
        "nonce": flow.nonce,
        "code_verifier": flow.code_verifier,
        "browser_hash": flow.browser_hash,
        "user_id": flow.user_id,
        "created_at": flow.created_at,
        "expires_at": flow.expires_at,
        "used_at": flow.used_at,
    }


def oauth_flow_from_row(row: Mapping[str, Any]) -> OAuthFlow:
    return OAuthFlow(
        state_hash=row["state_hash"],
        provider=row["provider"],
        purpose=FlowPurpose(row["purpose"]),
        redirect_uri=row["redirect_uri"],
        nonce=row["nonce"],
        code_verifier=row["code_verifier"],
        browser_hash=row["browser_hash"],
        user_id=UserId(row["user_id"]) if row["user_id"] is not None else None,
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )
