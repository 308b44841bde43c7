"""The SQL units of work: `SqlUnitOfWork`, one database transaction per `async with` block, and
`SqlReadOnlyUnitOfWork`, reads without a transaction; each block runs on one pooled connection."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

from sqlalchemy import literal_column, select

from adapters.sql.api_keys import SqlApiKeyRepository
from adapters.sql.audit_log import SqlAuditLog
from adapters.sql.driver import Database, SqlConnection, Statement, Transaction
from adapters.sql.identities import SqlIdentityRepository, SqlOAuthFlowRepository
from adapters.sql.mfa_challenges import SqlMfaChallengeRepository
from adapters.sql.one_time_tokens import SqlOneTimeTokenRepository
from adapters.sql.outbox import SqlOutbox
from adapters.sql.passkeys import SqlPasskeyRepository, SqlWebAuthnChallengeRepository
from adapters.sql.refresh_tokens import SqlRefreshTokenRepository
from adapters.sql.revocation_log import SqlRevocationLog
from adapters.sql.second_factors import SqlSecondFactorRepository
from adapters.sql.service_accounts import SqlServiceAccountRepository
from adapters.sql.sessions import SqlSessionRepository
from adapters.sql.tasks import SqlAccountOverviews, SqlTaskRepository
from adapters.sql.users import SqlUserRepository
from application.messagebus import EventPublisher
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.events import DomainEvent
from domain.webhooks import WebhookSubscription

PING_TIMEOUT_S = 5.0
_PING = Statement(select(literal_column("1").label("one")))


class _SqlBlock:
    """One `async with` block on a connection checked out of a `Database`, the part both units of
    work share: entering checks the connection out (so an unreachable database is reported on
    entry, as `DependencyUnavailableError("database")`), leaving rolls back anything not committed
    and returns it. One block at a time per instance."""

    def __init__(self, database: Database, *, read_only: bool) -> None:
        self._database, self._read_only = database, read_only
        self._scope: contextlib.AbstractAsyncContextManager[Transaction] | None = None
        self._transaction: Transaction | None = None

    async def _open(self) -> SqlConnection:
        if self._scope is not None:
            raise RuntimeError("this unit of work is already in use; enter it sequentially, never concurrently")
        scope = self._database.transaction(read_only=self._read_only)
        self._scope = scope
        try:
            self._transaction = await scope.__aenter__()
        except BaseException:
            self._scope = None
            raise
        return self._transaction.connection

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        scope, self._scope, self._transaction = self._scope, None, None
        if scope is None:
            return
        try:
            # Rolls back whatever was not committed and gives the connection back.
            await scope.__aexit__(exc_type, exc, traceback)
        except Exception:
            if exc is None:
                raise
            # The block's own exception matters more than a failed rollback on a broken connection.


class SqlReadOnlyUnitOfWork(_SqlBlock, ReadOnlyUnitOfWork):
    """Reads over the SQL repositories, on a `Database` from `adapters.sql.driver.open_database`,
    without a transaction.

    No BEGIN is sent: each statement runs on its own and reads the latest committed state (on
    PostgreSQL as under READ COMMITTED; on SQLite in WAL mode it takes no lock, so readers never
    queue behind a writer's `BEGIN IMMEDIATE`), without the round trips of BEGIN and ROLLBACK.
    """

    def __init__(self, database: Database) -> None:
        super().__init__(database, read_only=True)

    async def __aenter__(self) -> Self:
        connection = await self._open()
        self.users = SqlUserRepository(connection)
        self.sessions = SqlSessionRepository(connection)
        self.one_time_tokens = SqlOneTimeTokenRepository(connection)
        self.tasks = SqlTaskRepository(connection)
        self.audit = SqlAuditLog(connection)
        self.overviews = SqlAccountOverviews(connection)
        self.revocation_log = SqlRevocationLog(connection)
        self.second_factors = SqlSecondFactorRepository(connection)
        self.passkeys = SqlPasskeyRepository(connection)
        self.api_keys = SqlApiKeyRepository(connection)
        self.service_accounts = SqlServiceAccountRepository(connection)
        self.identities = SqlIdentityRepository(connection)
        return self


class SqlUnitOfWork(_SqlBlock, UnitOfWork):
    """A transaction over the SQL repositories, on a `Database` from `adapters.sql.driver.open_database`.

    The transaction begins with its first statement (on SQLite with `BEGIN IMMEDIATE`, and with it
    the wait for the write lock). After `commit()` the block may go on: the next statement begins
    a new transaction.

    Events recorded and audit events added since the transaction began go to `publisher` right
    after the commit that stores the change succeeds; those of a rolled-back or failed transaction
    are dropped. The revocation events among them are written to `revocation_log` just before the
    COMMIT, in the same transaction, and so are the webhooks of the audit events `webhooks` wants
    (to `outbox`): a change is never committed without them.
    """

    def __init__(
        self, database: Database, publisher: EventPublisher, webhooks: WebhookSubscription | None = None
    ) -> None:
        super().__init__(database, read_only=False)
        self._publisher, self._webhooks = publisher, webhooks
        self._events: list[DomainEvent] = []

    async def __aenter__(self) -> Self:
        connection = await self._open()
        self._events.clear()
        self.users = SqlUserRepository(connection)
        self.sessions = SqlSessionRepository(connection)
        self.refresh_tokens = SqlRefreshTokenRepository(connection)
        self.one_time_tokens = SqlOneTimeTokenRepository(connection)
        self.outbox = SqlOutbox(connection)
        self.audit = SqlAuditLog(connection, on_add=self._events.append)
        self.tasks = SqlTaskRepository(connection)
        self.overviews = SqlAccountOverviews(connection)
        self.revocation_log = SqlRevocationLog(connection)
        self.second_factors = SqlSecondFactorRepository(connection)
        self.mfa_challenges = SqlMfaChallengeRepository(connection)
        self.passkeys = SqlPasskeyRepository(connection)
        self.webauthn_challenges = SqlWebAuthnChallengeRepository(connection)
        self.api_keys = SqlApiKeyRepository(connection)
        self.service_accounts = SqlServiceAccountRepository(connection)
        self.identities = SqlIdentityRepository(connection)
        self.oauth_flows = SqlOAuthFlowRepository(connection)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._events.clear()
        await super().__aexit__(exc_type, exc, traceback)

    async def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("commit() outside of an `async with` block")
        # Taken before committing: if the commit fails, the transaction and its events are gone.
        committed_events = list(self._events)
        self._events.clear()
        # The revocations go into the database with the change that causes them.
        await self.revocation_log.store(committed_events)
        if self._webhooks is not None:
            await self._webhooks.queue(self.outbox, committed_events)
        await self._transaction.commit()
        await self._publisher.publish(committed_events)

    def record(self, *events: DomainEvent) -> None:
        self._events.extend(events)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(PING_TIMEOUT_S), self._database.transaction(read_only=True) as transaction:
                await transaction.connection.fetch(_PING)
        except Exception:
            return False
        return True
