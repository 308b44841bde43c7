"""Repository and unit-of-work contract tests run once per backend: memory, SQLite (a file in `tmp_path`), PostgreSQL.

The backend plumbing lives in `tests/backends.py` so that other test folders can reuse it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from application.unit_of_work import UnitOfWork
from tests.backends import BACKENDS
from tests.backends import uow_factory as open_uow_factory

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture(params=BACKENDS)
async def uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UowFactory]:
    """Makes independent units of work over one fresh store of the backend under test."""
    async with open_uow_factory(request.param, tmp_path) as factory:
        yield factory


@pytest.fixture
def uow(uow_factory: UowFactory) -> UnitOfWork:
    """One unit of work over a fresh store; enter it once per transaction."""
    return uow_factory()
