"""Storage backends for tests: memory, SQLite in a temporary file, PostgreSQL in a throw-away schema.

Reuse these from any test folder that must run against every backend:

- `BACKENDS` / `SQL_BACKENDS`: parameters for `@pytest.fixture(params=...)`; the PostgreSQL one
  carries the `postgres` marker.
- `migrated_database(backend, tmp_path)`: an async context manager yielding a `Database`
  (a URL, plus a schema for PostgreSQL) at the newest revision; dropped afterwards.
- `uow_factory(backend, tmp_path)`: an async context manager yielding a zero-argument callable
  that makes independent units of work over one shared store (one engine for SQL backends).
- `storage(backend, tmp_path)`: the same, as a `Storage` that also makes read-only units of work
  and holds the outbox queue over that store, for tests that read what units of work commit or
  deliver the mail they write.

PostgreSQL comes from `BASTION_TEST_DATABASE_URL` (default: the local server's `test` database).
Each use gets its own schema `bastion_test_<random>`, migrated, and dropped with CASCADE at the
end. When the server does not answer, the test is skipped with the reason, or fails when `CI=true`:
a green CI run always includes the PostgreSQL leg.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.audit_lines import log_audit_event
from adapters.memory.outbox_queue import MemoryOutboxQueue
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryReadOnlyUnitOfWork, MemoryUnitOfWork
from adapters.sql.driver import Database as SqlDatabase
from adapters.sql.driver import open_database
from adapters.sql.migrations.engine import create_engine
from adapters.sql.migrations.migrate import upgrade_async
from adapters.sql.outbox_queue import SqlOutboxQueue
from adapters.sql.unit_of_work import SqlReadOnlyUnitOfWork, SqlUnitOfWork
from application.messagebus import EventPublisher, MessageBus
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.audit import AuditEvent
from domain.events import DomainEvent
from domain.ports.mail import OutboxQueue
from domain.webhooks import WebhookSubscription

POSTGRES_URL_VARIABLE = "BASTION_TEST_DATABASE_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
POSTGRES_CONNECT_TIMEOUT_S = 5.0

SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
BACKENDS = ["memory", *SQL_BACKENDS]


@dataclass(frozen=True, slots=True)
class Database:
    """Where a test database is. On PostgreSQL the tables live in `schema`, which a URL cannot
    carry for asyncpg: pass both to `adapters.sql.migrations.engine.create_engine(url, schema=...)`
    or to `adapters.sql.driver.open_database`, or use `connect_args` with SQLAlchemy's own
    `create_async_engine`."""

    url: str
    schema: str | None = None

    @property
    def connect_args(self) -> dict[str, Any]:
        return {"server_settings": {"search_path": self.schema}} if self.schema else {}

    def create_engine(self, *, pool_size: int = 5) -> AsyncEngine:
        """A SQLAlchemy engine, for tests that look at the tables directly."""
        return create_engine(self.url, pool_size=pool_size, schema=self.schema)

    def open(self, *, pool_size: int = 5) -> SqlDatabase:
        """The pool the SQL adapters run on (`adapters.sql.driver`)."""
        return open_database(self.url, pool_size=pool_size, schema=self.schema)


def postgres_url() -> str:
    return os.environ.get(POSTGRES_URL_VARIABLE) or DEFAULT_POSTGRES_URL


def service_unavailable(reason: str) -> NoReturn:
    """Skip the current test with `reason`, or fail it when running in CI (`CI=true`)."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} (CI=true: services are required)", pytrace=False)
    pytest.skip(reason)


@asynccontextmanager
async def empty_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A database without tables for `backend` ("sqlite" or "postgres"), removed afterwards."""
    if backend == "sqlite":
        yield Database(f"sqlite+aiosqlite:///{tmp_path / 'bastion.db'}")
    elif backend == "postgres":
        async with _postgres_schema(postgres_url()) as database:
            yield database
    else:
        raise ValueError(f"not an SQL backend: {backend!r}")


@asynccontextmanager
async def migrated_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A database at the newest revision for `backend` ("sqlite" or "postgres"), removed afterwards."""
    async with empty_database(backend, tmp_path) as database:
        await upgrade_async(database.url, schema=database.schema)
        yield database


class RecordingPublisher(EventPublisher):
    """Keeps every published event, then hands them to a bus that writes the audit log lines as in
    production."""

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []
        self._bus = MessageBus()
        self._bus.subscribe(AuditEvent, log_audit_event)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.published.extend(events)
        await self._bus.publish(events)


@dataclass(frozen=True, slots=True)
class Storage:
    """One store of a backend: makers of independent units of work and read-only units of work over
    it, the outbox queue that delivers what they commit (its own transaction per call, on the same
    store), and what their commits published."""

    new_uow: Callable[[], UnitOfWork]
    new_reader: Callable[[], ReadOnlyUnitOfWork]
    outbox_queue: OutboxQueue
    publisher: RecordingPublisher
    # Units of work whose commits queue the webhooks of a subscription.
    new_webhook_uow: Callable[[WebhookSubscription], UnitOfWork]


@asynccontextmanager
async def storage(backend: str, tmp_path: Path) -> AsyncIterator[Storage]:
    """A fresh store of `backend` ("memory", "sqlite", "postgres"), with units of work, read-only units
    of work and an outbox queue."""
    if backend == "memory":
        store, publisher = MemoryStore(), RecordingPublisher()
        yield Storage(
            lambda: MemoryUnitOfWork(store, publisher),
            lambda: MemoryReadOnlyUnitOfWork(store),
            MemoryOutboxQueue(store),
            publisher,
            lambda webhooks: MemoryUnitOfWork(store, publisher, webhooks),
        )
        return
    async with migrated_database(backend, tmp_path) as database:
        pool, publisher = database.open(), RecordingPublisher()
        try:
            yield Storage(
                lambda: SqlUnitOfWork(pool, publisher),
                lambda: SqlReadOnlyUnitOfWork(pool),
                SqlOutboxQueue(pool),
                publisher,
                lambda webhooks: SqlUnitOfWork(pool, publisher, webhooks),
            )
        finally:
            await pool.close()


@asynccontextmanager
async def uow_factory(backend: str, tmp_path: Path) -> AsyncIterator[Callable[[], UnitOfWork]]:
    """A maker of independent units of work over one store of `backend` ("memory", "sqlite", "postgres")."""
    async with storage(backend, tmp_path) as opened:
        yield opened.new_uow


@asynccontextmanager
async def _postgres_schema(url: str) -> AsyncIterator[Database]:
    schema = f"bastion_test_{secrets.token_hex(6)}"
    admin = create_engine(url, pool_size=1)
    try:
        await _create_schema(admin, schema, url)
        try:
            yield Database(url, schema)
        finally:
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await admin.dispose()


async def _create_schema(admin: AsyncEngine, schema: str, url: str) -> None:
    try:
        async with asyncio.timeout(POSTGRES_CONNECT_TIMEOUT_S), admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        where = url.rsplit("@", 1)[-1]
        service_unavailable(
            f"PostgreSQL at {where} did not answer ({type(error).__name__}); set {POSTGRES_URL_VARIABLE}"
        )
