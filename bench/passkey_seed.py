"""The data of `make bench`'s row "POST /auth/passkeys/login", seeded through SQL.

wrk's LuaJIT cannot sign ECDSA, so the driver does the client's half in advance, as it does for
refresh tokens: a passkey per user of a range (a synced passkey: its signature counter stays 0, so
assertions arriving in any order are all valid), then, before each measured run, a pool of login
challenges stored as `POST /auth/passkeys/login/options` stores them (`webauthn_challenges`, purpose
login, no user, five minutes) with challenge bytes chosen here, and one request body per challenge
with the assertion the soft authenticator (`tests/webauthn_authenticator.py`) signed for it.
"""

from __future__ import annotations

import secrets
import statistics
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from webauthn import verify_authentication_response
from webauthn.helpers.parse_authentication_credential_json import parse_authentication_credential_json

from adapters.sql.tables import passkeys, webauthn_challenges
from domain.ids import UserId
from domain.opaque_tokens import hash_token
from domain.passkeys import (
    WEBAUTHN_CHALLENGE_BYTES,
    WEBAUTHN_CHALLENGE_TTL,
    CeremonyPurpose,
    RelyingParty,
    user_handle,
)
from entrypoints.settings import GROUP_OF, Settings
from tests.webauthn_authenticator import SoftAuthenticator, SoftCredential, b64url, new_private_key

VERIFY_SAMPLES = 200
_BATCH = 2000


def relying_party(env: Mapping[str, str]) -> RelyingParty:
    """The relying party of a server started with `env` (its BASTION_* variables)."""
    values = {name.removeprefix("BASTION_").lower(): value for name, value in env.items()}
    return Settings.from_flat(**{name: value for name, value in values.items() if name in GROUP_OF}).relying_party


@dataclass(slots=True)
class PasskeyHolders:
    """The synced passkeys of a range of users, held by one soft authenticator; `device_tokens`
    (by user, optional) are sent along, as a returning user's browser does."""

    authenticator: SoftAuthenticator
    credentials: list[SoftCredential]
    device_tokens: list[str | None]
    used: int = 0  # challenges issued so far: the next body's credential is credentials[used % len]

    def body(self, challenge_id: str, challenge: bytes) -> bytes:
        number = self.used % len(self.credentials)
        self.used += 1
        options = {"challenge": b64url(challenge), "rpId": self.authenticator.rp_id}
        assertion = self.authenticator.authenticate(options, self.credentials[number])
        body: dict[str, Any] = {"challenge_id": challenge_id, "credential": assertion}
        if self.device_tokens[number] is not None:
            body["device_token"] = self.device_tokens[number]
        return msgspec.json.encode(body)


def synced_credential(party: RelyingParty, user_id: str) -> SoftCredential:
    """A synced passkey of `user_id` (backed up, counter always 0), ES256."""
    return SoftCredential(
        credential_id=uuid.uuid4().bytes + uuid.uuid4().bytes,
        rp_id=party.id,
        user_handle=user_handle(UserId(user_id)),
        alg="ES256",
        private_key=new_private_key("ES256"),
        counts=False,
        backup_eligible=True,
        backed_up=True,
        transports=("hybrid", "internal"),
    )


async def seed_passkeys(
    engine: AsyncEngine, party: RelyingParty, user_ids: Sequence[str], device_tokens: Sequence[str | None]
) -> PasskeyHolders:
    """One synced passkey for each of `user_ids`, stored as registration stores it."""
    authenticator = SoftAuthenticator(rp_id=party.id, origin=party.origins[0])
    credentials = [synced_credential(party, user_id) for user_id in user_ids]
    authenticator.credentials.extend(credentials)
    now = datetime.now(UTC)
    rows = [_passkey_row(user_id, credential, now) for user_id, credential in zip(user_ids, credentials, strict=True)]
    async with engine.begin() as connection:
        for start in range(0, len(rows), _BATCH):
            await connection.execute(insert(passkeys), rows[start : start + _BATCH])
    return PasskeyHolders(authenticator, credentials, list(device_tokens))


def _passkey_row(user_id: str, credential: SoftCredential, now: datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "user_id": user_id,
        "credential_id": credential.credential_id,
        "public_key": credential.public_key,
        "sign_count": 0,
        "transports": " ".join(credential.transports),
        "backup_eligible": True,
        "backed_up": True,
        "name": "Bench passkey",
        "created_at": now,
        "last_used_at": None,
    }


def _challenge_row(challenge_id: str, challenge: bytes, now: datetime) -> dict[str, Any]:
    return {
        "handle_hash": hash_token(challenge_id),
        "purpose": CeremonyPurpose.LOGIN.value,
        "challenge": challenge,
        "user_id": None,
        "created_at": now,
        "expires_at": now + WEBAUTHN_CHALLENGE_TTL,
        "used_at": None,
    }


def signed_challenges(holders: PasskeyHolders, count: int) -> tuple[list[dict[str, Any]], list[str]]:
    """`count` fresh login challenges (their rows) and, for each, the request body (one JSON line)
    answering it; CPU only (run it in a thread)."""
    now = datetime.now(UTC)
    rows, bodies = [], []
    for _ in range(count):
        challenge_id, challenge = secrets.token_urlsafe(32), secrets.token_bytes(WEBAUTHN_CHALLENGE_BYTES)
        rows.append(_challenge_row(challenge_id, challenge, now))
        bodies.append(holders.body(challenge_id, challenge).decode())
    return rows, bodies


async def store_challenges(engine: AsyncEngine, rows: Sequence[dict[str, Any]]) -> None:
    async with engine.begin() as connection:
        for start in range(0, len(rows), _BATCH):
            await connection.execute(insert(webauthn_challenges), rows[start : start + _BATCH])


def verify_seconds(party: RelyingParty) -> float:
    """The median time of py_webauthn's `verify_authentication_response` (ES256, P-256) on one
    prepared assertion, in this process (VERIFY_SAMPLES calls)."""
    holders = PasskeyHolders(SoftAuthenticator(rp_id=party.id, origin=party.origins[0]), [], [None])
    credential = synced_credential(party, str(uuid.uuid4()))
    holders.credentials.append(credential)
    challenge = secrets.token_bytes(WEBAUTHN_CHALLENGE_BYTES)
    assertion = msgspec.json.decode(holders.body(secrets.token_urlsafe(32), challenge))["credential"]

    def verify() -> None:
        verify_authentication_response(
            credential=parse_authentication_credential_json(assertion),
            expected_challenge=challenge,
            expected_rp_id=party.id,
            expected_origin=list(party.origins),
            credential_public_key=credential.public_key,
            credential_current_sign_count=0,
            require_user_verification=True,
        )

    verify()
    timings = []
    for _ in range(VERIFY_SAMPLES):
        started = time.perf_counter()
        verify()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)
