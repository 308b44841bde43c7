"""Contract of OAuthFlowRepository: one test per sentence of its docstrings, on every backend
(memory, SQLite, PostgreSQL), the race of `take` included."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.identities import FlowPurpose, OAuthFlow
from domain.opaque_tokens import hash_token
from tests.builders import NOW, a_stored_user

N = 12
UowFactory = Callable[[], UnitOfWork]
LATER = NOW + timedelta(minutes=1, microseconds=7)
KEPT_EXPIRED = timedelta(days=1)


def _a_flow(user: User | None = None, *, now: datetime = NOW) -> OAuthFlow:
    """A login flow bound to a browser, or with `user` a link flow bound to that account."""
    return OAuthFlow.open(
        state_hash=hash_token(secrets.token_urlsafe(32)),
        provider="example",
        purpose=FlowPurpose.LINK if user is not None else FlowPurpose.LOGIN,
        redirect_uri="https://app.example.org/after-login?lang=fr&next=%2Ftasks",
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(96),
        browser_hash=hash_token(secrets.token_urlsafe(32)) if user is None else None,
        user_id=user.id if user is not None else None,
        now=now,
    )


async def _saved(uow: UnitOfWork, *flows: OAuthFlow) -> None:
    async with uow as tx:
        for flow in flows:
            await tx.oauth_flows.save(flow)
        await tx.commit()


async def _take(uow: UnitOfWork, flow: OAuthFlow, now: datetime = LATER) -> OAuthFlow | None:
    async with uow as tx:
        taken = await tx.oauth_flows.take(flow.state_hash, now)
        await tx.commit()
        return taken


async def test_a_fresh_flow_is_taken_as_it_was_and_marked_used(uow: UnitOfWork) -> None:
    flow = _a_flow()
    await _saved(uow, flow)

    taken = [await _take(uow, flow), await _take(uow, flow, now=LATER + timedelta(seconds=1))]

    assert taken == [flow, replace(flow, used_at=LATER)]


async def test_a_link_flow_names_its_account_and_no_browser(uow: UnitOfWork) -> None:
    flow = _a_flow(await a_stored_user(uow))
    await _saved(uow, flow)

    assert await _take(uow, flow) == flow
    assert await _take(uow, flow) == replace(flow, used_at=LATER)


async def test_a_saved_flow_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    flow = _a_flow()
    async with uow as tx:
        await tx.oauth_flows.save(flow)

    assert await _take(uow, flow) is None


async def test_an_expired_flow_is_returned_as_stored_and_not_marked_used(uow: UnitOfWork) -> None:
    flow = _a_flow()
    await _saved(uow, flow)

    taken = [await _take(uow, flow, now=flow.expires_at), await _take(uow, flow, now=flow.expires_at)]

    assert taken == [flow, flow]
    assert await _take(uow, flow, now=flow.expires_at - timedelta(microseconds=1)) == flow
    assert await _take(uow, flow) == replace(flow, used_at=flow.expires_at - timedelta(microseconds=1))


async def test_take_of_an_unknown_state_is_none(uow: UnitOfWork) -> None:
    await _saved(uow, _a_flow())

    assert await _take(uow, _a_flow()) is None


async def test_save_deletes_the_flows_expired_a_day_before_its_creation(uow: UnitOfWork) -> None:
    old, recent = _a_flow(), _a_flow(now=NOW + timedelta(microseconds=1))
    await _saved(uow, old, recent)

    await _saved(uow, _a_flow(now=old.expires_at + KEPT_EXPIRED))

    assert await _take(uow, old) is None
    # Expired for a day less a microsecond: kept, so that a late callback still finds its client.
    assert await _take(uow, recent) == recent


async def test_the_link_flows_of_an_account_go_with_it(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    gone, kept, login = _a_flow(user), _a_flow(other), _a_flow()
    await _saved(uow, gone, kept, login)

    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.commit()

    assert [await _take(uow, gone), await _take(uow, kept), await _take(uow, login)] == [None, kept, login]


async def test_timestamps_come_back_aware_in_utc(uow: UnitOfWork) -> None:
    flow = _a_flow()
    await _saved(uow, flow)
    await _take(uow, flow)

    used = await _take(uow, flow)
    assert used is not None
    for moment in (used.created_at, used.expires_at, used.used_at):
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)


async def test_concurrent_takes_of_one_flow_give_it_unused_to_exactly_one_caller(uow_factory: UowFactory) -> None:
    flow = _a_flow()
    await _saved(uow_factory(), flow)

    outcomes = await asyncio.gather(*(_take(uow_factory(), flow) for _ in range(N)))

    assert [outcomes.count(flow), outcomes.count(replace(flow, used_at=LATER))] == [1, N - 1]
