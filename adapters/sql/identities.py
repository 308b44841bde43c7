"""SqlIdentityRepository and SqlOAuthFlowRepository: the provider identities of accounts in
`identities` and the social login flows in progress in `oauth_flows`, over one transaction's
`SqlConnection`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update

from adapters.sql.driver import SqlConnection, Statement
from adapters.sql.identity_rows import identity_from_row, identity_to_row, oauth_flow_from_row, oauth_flow_to_row
from adapters.sql.statement_parts import NOW, dialect_insert, insert_all
from adapters.sql.tables import UtcDateTime, identities, oauth_flows
from domain.identities import EXPIRED_FLOWS_KEPT, Identity, IdentityId, OAuthFlow
from domain.ids import UserId
from domain.ports.identity_repositories import IdentityRepository, OAuthFlowRepository

# `OAuthFlowRepository.save`: expired flows are kept this long, for a late callback.

# INSERT ... ON CONFLICT (issuer, subject) DO NOTHING: an identity linked already, also by a
# concurrent transaction (PostgreSQL waits for it to end), inserts nothing and aborts nothing.
_IDENTITY_ADD = Statement(
    lambda dialect_name: dialect_insert(dialect_name, identities).on_conflict_do_nothing(
        index_elements=[identities.c.issuer, identities.c.subject]
    ),
    column_keys=[column.key for column in identities.columns],
)
_IDENTITIES_OF_USER = Statement(
    select(identities)
    .where(identities.c.user_id == bindparam("user_id"))
    .order_by(identities.c.created_at, identities.c.id)
)
_IDENTITY_COUNT = Statement(
    select(func.count().label("count")).select_from(identities).where(identities.c.user_id == bindparam("user_id"))
)
_IDENTITY_BY_SUBJECT = Statement(
    select(identities).where(identities.c.issuer == bindparam("issuer"), identities.c.subject == bindparam("subject"))
)
_IDENTITY_DELETE = Statement(
    delete(identities).where(identities.c.id == bindparam("id"), identities.c.user_id == bindparam("user_id"))
)

_FLOW_ADD = insert_all(oauth_flows)
_FLOWS_PURGE = Statement(
    delete(oauth_flows).where(oauth_flows.c.expires_at <= bindparam("expired_by", type_=UtcDateTime()))
)
_FLOW_TAKE = Statement(
    update(oauth_flows)
    .where(
        oauth_flows.c.state_hash == bindparam("hash"),
        oauth_flows.c.used_at.is_(None),
        oauth_flows.c.expires_at > NOW,
    )
    .values(used_at=NOW)
    .returning(*oauth_flows.c)
)
_FLOW_GET = Statement(select(oauth_flows).where(oauth_flows.c.state_hash == bindparam("hash")))


class SqlIdentityRepository(IdentityRepository):
    """Identities in `identities`, deleted with their account (ON DELETE CASCADE). `add` is one
    `INSERT ... ON CONFLICT DO NOTHING` on the unique (issuer, subject): its row count decides, so
    exactly one concurrent caller links an identity on SQLite (writers queue on `BEGIN IMMEDIATE`)
    and PostgreSQL (the unique index makes the second insert wait for the first) alike."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def of_user(self, user_id: UserId) -> list[Identity]:
        rows = await self._connection.fetch(_IDENTITIES_OF_USER, {"user_id": user_id})
        return [identity_from_row(row) for row in rows]

    async def count(self, user_id: UserId) -> int:
        row = await self._connection.fetch_one(_IDENTITY_COUNT, {"user_id": user_id})
        return int(row["count"]) if row is not None else 0

    async def by_subject(self, issuer: str, subject: str) -> Identity | None:
        row = await self._connection.fetch_one(_IDENTITY_BY_SUBJECT, {"issuer": issuer, "subject": subject})
        return identity_from_row(row) if row is not None else None

    async def add(self, identity: Identity) -> bool:
        return await self._connection.execute(_IDENTITY_ADD, identity_to_row(identity)) == 1

    async def delete(self, identity_id: IdentityId, user_id: UserId) -> bool:
        return await self._connection.execute(_IDENTITY_DELETE, {"id": identity_id, "user_id": user_id}) == 1


class SqlOAuthFlowRepository(OAuthFlowRepository):
    """Flows in `oauth_flows` by the hash of their state, deleted with the account of a link flow.
    `take` is one conditional `UPDATE ... RETURNING` that marks a fresh flow used, so exactly one
    concurrent caller gets it unused (PostgreSQL re-checks `used_at IS NULL` once the first
    caller's row lock is released; SQLite runs writers one at a time); only when it changes nothing
    is the row read as it is stored."""

    def __init__(self, connection: SqlConnection) -> None:
        self._connection = connection

    async def save(self, flow: OAuthFlow) -> None:
        await self._connection.execute(_FLOWS_PURGE, {"expired_by": flow.created_at - EXPIRED_FLOWS_KEPT})
        await self._connection.execute(_FLOW_ADD, oauth_flow_to_row(flow))

    async def take(self, state_hash: str, now: datetime) -> OAuthFlow | None:
        taken = await self._connection.fetch_one(_FLOW_TAKE, {"hash": state_hash, "now": now})
        if taken is not None:
            # RETURNING gives the row as updated; before this call it was the same, but unused.
            return replace(oauth_flow_from_row(taken), used_at=None)
        row = await self._connection.fetch_one(_FLOW_GET, {"hash": state_hash})
        return oauth_flow_from_row(row) if row is not None else None
