"""SqlPasskeyRepository and SqlWebAuthnChallengeRepository: passkeys in `passkeys` and the
challenges of ceremonies in `webauthn_challenges`, over one transaction's `SqlConnection`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ClauseElement, bindparam, delete, func, select, update

from adapters.sql import mapping
from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.statement_parts import NOW, dialect_insert
from adapters.sql.tables import UtcDateTime, passkeys, webauthn_challenges
from domain.ids import UserId
from domain.passkeys import CeremonyPurpose, Passkey, PasskeyId, WebAuthnChallenge
from domain.ports.passkey_repositories import PasskeyRepository, WebAuthnChallengeRepository

_OWN = (passkeys.c.id == bindparam("id"), passkeys.c.user_id == bindparam("user_id"))
# INSERT ... ON CONFLICT (credential_id) DO NOTHING: a credential id stored already, also by a
# concurrent transaction (PostgreSQL waits for it to end), inserts nothing and aborts nothing.
_PASSKEY_ADD = Statement(
    lambda dialect_name: dialect_insert(dialect_name, passkeys).on_conflict_do_nothing(
        index_elements=[passkeys.c.credential_id]
    ),
    column_keys=[column.key for column in passkeys.columns],
)
_PASSKEYS_OF_USER = Statement(
    select(passkeys).where(passkeys.c.user_id == bindparam("user_id")).order_by(passkeys.c.created_at, passkeys.c.id)
)
_PASSKEY_COUNT = Statement(
    select(func.count().label("count")).select_from(passkeys).where(passkeys.c.user_id == bindparam("user_id"))
)
_PASSKEY_BY_CREDENTIAL_ID = Statement(select(passkeys).where(passkeys.c.credential_id == bindparam("credential_id")))
_PASSKEY_RENAME = Statement(update(passkeys).where(*_OWN).values(name=bindparam("new_name")).returning(*passkeys.c))
_PASSKEY_DELETE = Statement(delete(passkeys).where(*_OWN))
_PASSKEY_USE = Statement(
    update(passkeys)
    .where(passkeys.c.id == bindparam("id"), passkeys.c.sign_count == bindparam("expected_sign_count"))
    .values(
        sign_count=bindparam("new_sign_count"),
        backed_up=bindparam("new_backed_up"),
        last_used_at=bindparam("new_last_used_at", type_=UtcDateTime()),
    )
)


def _challenge_save(dialect_name: str) -> ClauseElement:
    """INSERT ... ON CONFLICT (handle_hash) DO UPDATE: the new challenge replaces any of its handle."""
    insert = dialect_insert(dialect_name, webauthn_challenges)
    replaced = {
        column.key: insert.excluded[column.key] for column in webauthn_challenges.columns if not column.primary_key
    }
    return insert.on_conflict_do_update(index_elements=[webauthn_challenges.c.handle_hash], set_=replaced)


_CHALLENGE_SAVE = Statement(_challenge_save, column_keys=[column.key for column in webauthn_challenges.columns])
_CHALLENGES_PURGE = Statement(
    delete(webauthn_challenges).where(webauthn_challenges.c.expires_at <= bindparam("created_at", type_=UtcDateTime()))
)
_CHALLENGE_TAKE = Statement(
    update(webauthn_challenges)
    .where(
        webauthn_challenges.c.handle_hash == bindparam("hash"),
        webauthn_challenges.c.purpose == bindparam("purpose"),
        webauthn_challenges.c.used_at.is_(None),
        webauthn_challenges.c.expires_at > NOW,
    )
    .values(used_at=NOW)
    .returning(*webauthn_challenges.c)
)


class SqlPasskeyRepository(PasskeyRepository):
    """Passkeys in `passkeys`, deleted with their account (ON DELETE CASCADE). `add` is one
    `INSERT ... ON CONFLICT DO NOTHING` on the unique credential id and `record_use` one UPDATE
    conditional on the stored sign count: their row counts decide, so exactly one concurrent
    caller wins on SQLite (writers queue on `BEGIN IMMEDIATE`) and PostgreSQL (READ COMMITTED
    re-checks the condition once the row lock is released) alike."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def of_user(self, user_id: UserId) -> list[Passkey]:
        rows = await self._connection.fetch(_PASSKEYS_OF_USER, {"user_id": user_id})
        return [mapping.passkey_from_row(row) for row in rows]

    async def count(self, user_id: UserId) -> int:
        row = await self._connection.fetch_one(_PASSKEY_COUNT, {"user_id": user_id})
        return int(row["count"]) if row is not None else 0

    async def by_credential_id(self, credential_id: bytes) -> Passkey | None:
        row = await self._connection.fetch_one(_PASSKEY_BY_CREDENTIAL_ID, {"credential_id": credential_id})
        return mapping.passkey_from_row(row) if row is not None else None

    async def add(self, passkey: Passkey) -> bool:
        return await self._connection.execute(_PASSKEY_ADD, mapping.passkey_to_row(passkey)) == 1

    async def rename(self, passkey_id: PasskeyId, user_id: UserId, name: str) -> Passkey | None:
        values = {"id": passkey_id, "user_id": user_id, "new_name": name}
        row = await self._connection.fetch_one(_PASSKEY_RENAME, values)
        return mapping.passkey_from_row(row) if row is not None else None

    async def delete(self, passkey_id: PasskeyId, user_id: UserId) -> bool:
        return await self._connection.execute(_PASSKEY_DELETE, {"id": passkey_id, "user_id": user_id}) == 1

    async def record_use(self, passkey: Passkey, *, expected_sign_count: int) -> bool:
        values = {
            "id": passkey.id,
            "expected_sign_count": expected_sign_count,
            "new_sign_count": passkey.sign_count,
            "new_backed_up": passkey.backed_up,
            "new_last_used_at": passkey.last_used_at,
        }
        return await self._connection.execute(_PASSKEY_USE, values) == 1


class SqlWebAuthnChallengeRepository(WebAuthnChallengeRepository):
    """Challenges in `webauthn_challenges` by the hash of their handle, deleted with their user.
    `save` is an upsert after a purge of the expired rows; `take` one conditional
    `UPDATE ... RETURNING`, so exactly one concurrent caller gets a challenge."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def save(self, challenge: WebAuthnChallenge) -> None:
        await self._connection.execute(_CHALLENGES_PURGE, {"created_at": challenge.created_at})
        await self._connection.execute(_CHALLENGE_SAVE, mapping.webauthn_challenge_to_row(challenge))

    async def take(self, handle_hash: str, purpose: CeremonyPurpose, now: datetime) -> WebAuthnChallenge | None:
        values = {"hash": handle_hash, "purpose": purpose.value, "now": now}
        row = await self._connection.fetch_one(_CHALLENGE_TAKE, values)
        return mapping.webauthn_challenge_from_row(row) if row is not None else None
