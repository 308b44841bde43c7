"""Use-case tests run every handler over the memory adapters and a frozen clock.

Each handler gets its own `MemoryUnitOfWork` over one shared `MemoryStore`, as the
production container gives each handler its own unit of work over one database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from adapters.memory.clock import FrozenClock
from adapters.memory.hasher import MemoryPasswordHasher
from adapters.memory.store import MemoryStore
from adapters.memory.token_issuer import MemoryTokenIssuer
from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.random_secrets import OsSecretGenerator
from application.authenticate import Authenticate, AuthenticateHandler
from application.create_admin import CreateAdminHandler
from application.end_session import EndSessionHandler
from application.get_profile import GetProfileHandler
from application.list_sessions import ListSessionsHandler
from application.log_in import LogIn, LogInHandler
from application.log_out import LogOutHandler
from application.log_out_everywhere import LogOutEverywhereHandler
from application.refresh_session import RefreshSessionHandler
from application.register_user import RegisterUser, RegisterUserHandler
from application.session_tokens import SessionTokens
from domain.model import Principal, RefreshToken, Session, TokenPair, User, UserId
from domain.rules import PasswordPolicy, SessionPolicy, hash_token

PASSWORD = "Tr0ub4dor&3"
SUCCESSOR_KEY = b"unit-test-successor-key-32-bytes"
ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=7)
GRACE = timedelta(seconds=10)


@dataclass
class Harness:
    """Every handler, wired to the memory adapters, plus the adapters for assertions."""

    store: MemoryStore
    clock: FrozenClock
    hasher: MemoryPasswordHasher
    issuer: MemoryTokenIssuer
    tokens: SessionTokens
    register: RegisterUserHandler
    create_admin: CreateAdminHandler
    log_in: LogInHandler
    refresh: RefreshSessionHandler
    log_out: LogOutHandler
    log_out_everywhere: LogOutEverywhereHandler
    list_sessions: ListSessionsHandler
    end_session: EndSessionHandler
    get_profile: GetProfileHandler
    authenticate: AuthenticateHandler

    async def a_user(
        self,
        *,
        email: str = "ada@example.org",
        username: str = "ada",
        password: str = PASSWORD,
        full_name: str | None = None,
    ) -> User:
        command = RegisterUser(email=email, username=username, password=password, full_name=full_name)
        return await self.register.handle(command)

    async def logged_in(
        self,
        identifier: str = "ada@example.org",
        password: str = PASSWORD,
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> TokenPair:
        return await self.log_in.handle(LogIn(identifier=identifier, password=password, ip=ip, user_agent=user_agent))

    async def principal(self, pair: TokenPair) -> Principal:
        return await self.authenticate.handle(Authenticate(access_token=pair.access_token))

    def session_of(self, pair: TokenPair) -> Session:
        """The stored session that a token pair's refresh token belongs to."""
        return self.store.sessions[self.refresh_record(pair.refresh_token).session_id]

    def refresh_record(self, refresh_token: str) -> RefreshToken:
        return self.store.refresh_tokens[hash_token(refresh_token)]

    def stored_user(self, user_id: UserId) -> User:
        return self.store.users[user_id]

    def deactivate(self, user_id: UserId) -> None:
        self.store.users[user_id].is_active = False

    def verify_email(self, user_id: UserId) -> None:
        self.store.users[user_id].email_verified = True


def build_harness(*, reuse_grace: timedelta = GRACE, require_verified_email: bool = False) -> Harness:
    store = MemoryStore()
    clock = FrozenClock()
    hasher = MemoryPasswordHasher()
    issuer = MemoryTokenIssuer()
    policy = SessionPolicy(access_ttl=ACCESS_TTL, refresh_ttl=REFRESH_TTL, reuse_grace=reuse_grace)
    tokens = SessionTokens(issuer, OsSecretGenerator(), policy, SUCCESSOR_KEY)

    def uow() -> MemoryUnitOfWork:
        return MemoryUnitOfWork(store)

    return Harness(
        store=store,
        clock=clock,
        hasher=hasher,
        issuer=issuer,
        tokens=tokens,
        register=RegisterUserHandler(uow(), hasher, clock, PasswordPolicy()),
        create_admin=CreateAdminHandler(uow(), hasher, clock, PasswordPolicy()),
        log_in=LogInHandler(uow(), hasher, tokens, clock, require_verified_email=require_verified_email),
        refresh=RefreshSessionHandler(uow(), tokens, clock),
        log_out=LogOutHandler(uow(), clock),
        log_out_everywhere=LogOutEverywhereHandler(uow(), clock),
        list_sessions=ListSessionsHandler(uow(), clock),
        end_session=EndSessionHandler(uow(), clock),
        get_profile=GetProfileHandler(uow(), clock),
        authenticate=AuthenticateHandler(issuer, uow(), clock),
    )


@pytest.fixture
def harness() -> Harness:
    return build_harness()


@pytest.fixture
def make_harness() -> Callable[..., Harness]:
    """For tests that need another grace window or verified emails required."""
    return build_harness
