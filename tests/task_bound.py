"""Async context managers held open by a task of their own, for use in async fixtures.

pytest-asyncio runs an async generator fixture's setup and teardown in two different tasks, and
anyio (which coredis 6 runs on) refuses to leave a cancel scope or task group in another task than
the one that entered it (pytest-dev/pytest-asyncio#1191). `entered_in_own_task` enters and leaves the
manager in one background task, so that a fixture can yield what it gives across that boundary.
It also unwraps the exception group anyio puts around a skip raised while entering (such as
`shared_redis()` skipping when the server does not answer), so that pytest reports it as a skip.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

T = TypeVar("T")


async def _hold(manager: AbstractAsyncContextManager[T], entered: asyncio.Future[T], release: asyncio.Event) -> None:
    async with manager as value:
        entered.set_result(value)
        await release.wait()


@asynccontextmanager
async def entered_in_own_task(manager: AbstractAsyncContextManager[T]) -> AsyncIterator[T]:
    """What `manager` gives, while a background task keeps it entered; a failure (or a skip) on entering
    is raised here."""
    entered: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(manager, entered, release))
    waiting: list[asyncio.Future[Any]] = [entered, holder]
    await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    if not entered.done():
        try:
            await holder
        except BaseExceptionGroup as group:
            # anyio wraps what escapes a task group, pytest's skip and fail outcomes included, and
            # pytest recognises those only unwrapped (a wrapped skip also breaks the fixture's next use).
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from group
            raise
        raise RuntimeError("the context manager finished without entering")
    try:
        yield entered.result()
    finally:
        release.set()
        await holder
