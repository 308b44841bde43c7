"""Repository and unit-of-work contract tests run once per backend: memory, SQLite (a file in `tmp_path`), PostgreSQL.

The backend plumbing lives in `tests/backends.py` so that other test folders can reuse it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.ports.mail import OutboxQueue
from tests.backends import BACKENDS, Storage
from tests.backends import storage as open_storage

UowFactory = Callable[[], UnitOfWork]
ReaderFactory = Callable[[], ReadOnlyUnitOfWork]


@pytest.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """One fresh store of the backend under test."""
    async with open_storage(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture
def uow_factory(storage: Storage) -> UowFactory:
    """Makes independent units of work over one fresh store of the backend under test."""
    return storage.new_uow


@pytest.fixture
def uow(uow_factory: UowFactory) -> UnitOfWork:
    """One unit of work over a fresh store; enter it once per transaction."""
    return uow_factory()


@pytest.fixture
def reader_factory(storage: Storage) -> ReaderFactory:
    """Makes independent read-only units of work over the same store as `uow` and `uow_factory`."""
    return storage.new_reader


@pytest.fixture
def reader(reader_factory: ReaderFactory) -> ReadOnlyUnitOfWork:
    """One read-only unit of work over the same store as `uow`; enter it once per block."""
    return reader_factory()


@pytest.fixture
def outbox_queue(storage: Storage) -> OutboxQueue:
    """The outbox queue over the same store as `uow` and `uow_factory`."""
    return storage.outbox_queue
