"""Use-case tests run every handler as the production container wires it, over the memory
adapters (`UseCases(adapters=MemoryAdapters())`) with a frozen clock.

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
from adapters.memory.login_attempts import MemoryLoginAttemptCounter
from adapters.memory.revocation_list import MemoryRevocationList
from adapters.memory.store import MemoryStore
from adapters.memory.token_issuer import MemoryTokenIssuer
from application.account.get_profile import GetProfileHandler
from application.auth.authenticate import Authenticate, AuthenticateHandler
from application.auth.end_session import EndSessionHandler
from application.auth.list_sessions import ListSessionsHandler
from application.auth.log_in import LogIn, LogInHandler
from application.auth.log_out import LogOutHandler
from application.auth.log_out_everywhere import LogOutEverywhereHandler
from application.auth.refresh_session import RefreshSessionHandler
from application.auth.register_user import RegisterUser, RegisterUserHandler
from application.auth.session_tokens import SessionTokens
from domain.accounts import User
from domain.audit import RequestContext
from domain.ids import UserId
from domain.opaque_tokens import hash_token
from domain.sessions import Principal, RefreshToken, Session, TokenPair
from entrypoints.container.lifecycle import in_memory
from entrypoints.container.use_cases import UseCases
from entrypoints.settings import Settings

PASSWORD = "Tr0ub4dor&3"
ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=7)
GRACE = timedelta(seconds=10)


@dataclass
class Harness:
    """Every handler, wired to the memory adapters, plus the adapters for assertions."""

    use_cases: UseCases
    store: MemoryStore
    clock: FrozenClock
    hasher: MemoryPasswordHasher
    issuer: MemoryTokenIssuer
    revocations: MemoryRevocationList
    login_attempts: MemoryLoginAttemptCounter
    tokens: SessionTokens
    register: RegisterUserHandler
    create_admin: RegisterUserHandler
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
        context = RequestContext(ip=ip, user_agent=user_agent)
        return await self.log_in.handle(LogIn(identifier=identifier, password=password, context=context))

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


def build_harness(
    *, reuse_grace: timedelta = GRACE, require_verified_email: bool = False, max_failed_logins: int = 5
) -> Harness:
    """The production wiring (`UseCases`) over the memory adapters, with a frozen clock and the memory issuer."""
    settings = Settings.from_flat(
        environment="test",
        secret_key="unit-test-secret-" + "x" * 32,
        access_token_expire_minutes=int(ACCESS_TTL.total_seconds() // 60),
        refresh_token_expire_days=REFRESH_TTL.days,
        refresh_reuse_grace_seconds=int(reuse_grace.total_seconds()),
        require_verified_email=require_verified_email,
        max_failed_logins=max_failed_logins,
    )
    use_cases, adapters = in_memory(settings)
    clock, issuer = FrozenClock(), MemoryTokenIssuer()
    adapters.clock.override(clock)
    adapters.issuer.override(issuer)
    return Harness(
        use_cases=use_cases,
        store=adapters.store(),
        clock=clock,
        hasher=adapters.hasher(),
        issuer=issuer,
        revocations=adapters.revocations(),
        login_attempts=adapters.login_attempts(),
        tokens=use_cases.session_tokens(),
        register=use_cases.register_user(),
        create_admin=use_cases.create_admin(),
        log_in=use_cases.log_in(),
        refresh=use_cases.refresh_session(),
        log_out=use_cases.log_out(),
        log_out_everywhere=use_cases.log_out_everywhere(),
        list_sessions=use_cases.list_sessions(),
        end_session=use_cases.end_session(),
        get_profile=use_cases.get_profile(),
        authenticate=use_cases.authenticate(),
    )


@pytest.fixture
def harness() -> Harness:
    return build_harness()


@pytest.fixture
def make_harness() -> Callable[..., Harness]:
    """For tests that need another grace window or verified emails required."""
    return build_harness
