"""Races on every backend: N requests at once, each in its own unit of work over one shared store.

On SQLite these must pass without "database is locked"; on PostgreSQL they exercise row locks
and unique indexes under READ COMMITTED.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from adapters.memory.clock import FrozenClock
from adapters.memory.hasher import MemoryPasswordHasher
from adapters.memory.token_issuer import MemoryTokenIssuer
from adapters.no_breach_check import NoBreachCheck
from adapters.random_secrets import OsSecretGenerator
from application.account.account_mail import AccountMail
from application.account.mail_templates import MailTemplates
from application.auth.refresh_session import RefreshSession, RefreshSessionHandler
from application.auth.register_user import RegisterUser, RegisterUserHandler
from application.auth.session_tokens import SessionTokens
from application.passwords import NewPasswordRules
from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.errors import EmailTakenError
from domain.one_time_tokens import AccountTokenPolicy
from domain.opaque_tokens import hash_token
from domain.passwords import PasswordPolicy
from domain.sessions import RefreshToken, Session, SessionPolicy, derive_successor
from tests.builders import a_mail_sealer, a_refresh_token, a_session, a_user

N = 20
SUCCESSOR_KEY = b"contract-test-successor-key-32by"
UowFactory = Callable[[], UnitOfWork]
ReaderFactory = Callable[[], ReadOnlyUnitOfWork]


async def test_concurrent_rotate_lets_exactly_one_caller_win_with_one_successor(uow_factory: UowFactory) -> None:
    user = a_user()
    session = a_session(user)
    token = a_refresh_token(session)
    async with uow_factory() as tx:
        await tx.users.add(user)
        await tx.sessions.add(session)
        await tx.refresh_tokens.add(token)
        await tx.commit()

    successors = [a_refresh_token(session) for _ in range(N)]

    async def use(successor: RefreshToken) -> bool:
        async with uow_factory() as tx:
            won = await tx.refresh_tokens.rotate(token.token_hash, successor, session.created_at)
            await tx.commit()
        return won

    outcomes = await asyncio.gather(*(use(successor) for successor in successors))

    assert outcomes.count(True) == 1
    assert outcomes.count(False) == N - 1
    async with uow_factory() as tx:
        stored = [await tx.refresh_tokens.get(successor.token_hash) for successor in successors]
    assert [found is not None for found in stored] == outcomes


async def _a_logged_in_session(
    uow_factory: UowFactory, tokens: SessionTokens, clock: FrozenClock
) -> tuple[str, Session]:
    user = a_user()
    session = Session.start(user_id=user.id, now=clock.now(), ttl=tokens.policy.refresh_ttl, ip=None, user_agent=None)
    first = tokens.first_refresh_token(session, clock.now())
    async with uow_factory() as tx:
        await tx.users.add(user)
        await tx.sessions.add(session)
        await tx.refresh_tokens.add(first.record)
        await tx.commit()
    return first.value, session


async def test_concurrent_refreshes_of_one_token_converge_on_one_successor(uow_factory: UowFactory) -> None:
    clock = FrozenClock()
    policy = SessionPolicy(reuse_grace=timedelta(seconds=10))
    tokens = SessionTokens(MemoryTokenIssuer(), OsSecretGenerator(), policy, SUCCESSOR_KEY)
    presented, session = await _a_logged_in_session(uow_factory, tokens, clock)
    clock.advance(timedelta(minutes=1))

    async def refresh() -> str:
        handler = RefreshSessionHandler(uow_factory(), tokens, clock)
        pair = await handler.handle(RefreshSession(refresh_token=presented))
        return pair.refresh_token

    issued = await asyncio.gather(*(refresh() for _ in range(N)), return_exceptions=True)

    successor = derive_successor(presented, SUCCESSOR_KEY)
    assert [outcome for outcome in issued if isinstance(outcome, BaseException)] == []
    assert set(issued) == {successor}
    async with uow_factory() as tx:
        original = await tx.refresh_tokens.get(hash_token(presented))
        stored_successor = await tx.refresh_tokens.get(hash_token(successor))
        grandchild = await tx.refresh_tokens.get(hash_token(derive_successor(successor, SUCCESSOR_KEY)))
        stored_session = await tx.sessions.get(session.id)
    assert original is not None
    assert original.used_at == clock.now()
    assert stored_successor is not None
    assert stored_successor.used_at is None
    assert stored_successor.session_id == session.id
    assert grandchild is None
    assert stored_session is not None
    assert stored_session.revoked_at is None
    assert stored_session.last_used_at == clock.now()


async def test_concurrent_registrations_of_one_email_let_exactly_one_succeed(
    uow_factory: UowFactory, reader_factory: ReaderFactory
) -> None:
    handler_clock = FrozenClock()
    templates = MailTemplates("http://127.0.0.1:8000")
    mail = AccountMail(OsSecretGenerator(), templates, AccountTokenPolicy(), a_mail_sealer())

    async def register(number: int) -> User:
        handler = RegisterUserHandler(
            uow_factory(),
            reader_factory(),
            MemoryPasswordHasher(),
            handler_clock,
            NewPasswordRules(PasswordPolicy(), NoBreachCheck()),
            mail,
        )
        command = RegisterUser(email="Ada@Example.org", username=f"ada_{number}", password="Tr0ub4dor&3")
        return await handler.handle(command)

    outcomes = await asyncio.gather(*(register(number) for number in range(N)), return_exceptions=True)

    winners = [outcome for outcome in outcomes if isinstance(outcome, User)]
    losers = [outcome for outcome in outcomes if not isinstance(outcome, User)]
    assert len(winners) == 1
    assert all(isinstance(outcome, EmailTakenError) for outcome in losers), losers
    assert len(losers) == N - 1
