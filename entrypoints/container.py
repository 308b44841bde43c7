"""The composition root: the only module that names adapter classes or imports dependency_injector."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.crypto.jose_issuer import JoseTokenIssuer
from adapters.crypto.pwdlib_hasher import PwdlibPasswordHasher
from adapters.memory.hasher import MemoryPasswordHasher
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.random_secrets import OsSecretGenerator
from adapters.sql.engine import create_engine, create_session_factory
from adapters.sql.unit_of_work import SqlUnitOfWork
from application.authenticate import AuthenticateHandler
from application.check_readiness import CheckReadinessHandler
from application.create_admin import CreateAdminHandler
from application.end_session import EndSessionHandler
from application.get_profile import GetProfileHandler
from application.list_sessions import ListSessionsHandler
from application.log_in import LogInHandler
from application.log_out import LogOutHandler
from application.log_out_everywhere import LogOutEverywhereHandler
from application.refresh_session import RefreshSessionHandler
from application.register_user import RegisterUserHandler
from application.session_tokens import SessionTokens
from entrypoints.settings import Settings


def _engine(settings: Settings) -> AsyncEngine:
    return create_engine(
        settings.database_url, pool_size=settings.database_pool_size, schema=settings.database_schema or None
    )


def _hasher(settings: Settings) -> Iterator[PwdlibPasswordHasher]:
    hasher = PwdlibPasswordHasher(
        memory_cost=settings.argon2_memory_kib,
        time_cost=settings.argon2_time_cost,
        parallelism=settings.argon2_parallelism,
        threads=settings.hash_threads,
        max_pending=settings.hash_max_pending,
    )
    yield hasher
    hasher.close()


def _issuer(settings: Settings) -> JoseTokenIssuer:
    return JoseTokenIssuer(
        secret=settings.secret_bytes,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
        algorithm=settings.jwt_algorithm,
    )


class Adapters(containers.DeclarativeContainer):
    """Production adapters: SQL database, argon2 hashing, JWT signing, the system clock."""

    settings = providers.Dependency(instance_of=Settings)
    # A Singleton, not an async Resource: an async resource would turn every provider that depends
    # on it into one returning awaitables, on every request. `stop` disposes of it.
    engine = providers.Singleton(_engine, settings)
    session_factory = providers.Singleton(create_session_factory, engine)
    uow = providers.Factory(SqlUnitOfWork, session_factory)
    hasher = providers.Resource(_hasher, settings)
    issuer = providers.Singleton(_issuer, settings)
    clock = providers.Singleton(SystemClock)
    secrets = providers.Singleton(OsSecretGenerator)


class MemoryAdapters(containers.DeclarativeContainer):
    """The same provider names over in-memory adapters, for tests and experiments."""

    settings = providers.Dependency(instance_of=Settings)
    store = providers.Singleton(MemoryStore)
    uow = providers.Factory(MemoryUnitOfWork, store)
    hasher = providers.Singleton(MemoryPasswordHasher)
    issuer = providers.Singleton(_issuer, settings)
    clock = providers.Singleton(SystemClock)
    secrets = providers.Singleton(OsSecretGenerator)


class UseCases(containers.DeclarativeContainer):
    """One factory per use case; the adapter set is whatever `adapters` is given."""

    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.DependenciesContainer()

    password_policy = providers.Singleton(operator.attrgetter("password_policy"), settings)
    session_tokens = providers.Singleton(
        SessionTokens,
        issuer=adapters.issuer,
        secrets=adapters.secrets,
        policy=providers.Singleton(operator.attrgetter("session_policy"), settings),
        successor_key=providers.Singleton(operator.attrgetter("successor_key"), settings),
    )

    register_user = providers.Factory(
        RegisterUserHandler, uow=adapters.uow, hasher=adapters.hasher, clock=adapters.clock, policy=password_policy
    )
    create_admin = providers.Factory(
        CreateAdminHandler, uow=adapters.uow, hasher=adapters.hasher, clock=adapters.clock, policy=password_policy
    )
    log_in = providers.Factory(
        LogInHandler,
        uow=adapters.uow,
        hasher=adapters.hasher,
        tokens=session_tokens,
        clock=adapters.clock,
        require_verified_email=settings.provided.require_verified_email,
    )
    refresh_session = providers.Factory(
        RefreshSessionHandler, uow=adapters.uow, tokens=session_tokens, clock=adapters.clock
    )
    log_out = providers.Factory(LogOutHandler, uow=adapters.uow, clock=adapters.clock)
    log_out_everywhere = providers.Factory(LogOutEverywhereHandler, uow=adapters.uow, clock=adapters.clock)
    list_sessions = providers.Factory(ListSessionsHandler, uow=adapters.uow, clock=adapters.clock)
    end_session = providers.Factory(EndSessionHandler, uow=adapters.uow, clock=adapters.clock)
    get_profile = providers.Factory(GetProfileHandler, uow=adapters.uow, clock=adapters.clock)
    authenticate = providers.Factory(
        AuthenticateHandler, issuer=adapters.issuer, uow=adapters.uow, clock=adapters.clock
    )
    check_readiness = providers.Factory(CheckReadinessHandler, uow=adapters.uow)


def production(settings: Settings) -> tuple[UseCases, Adapters]:
    adapters = Adapters(settings=settings)
    return UseCases(settings=settings, adapters=adapters), adapters


def in_memory(settings: Settings) -> tuple[UseCases, MemoryAdapters]:
    adapters = MemoryAdapters(settings=settings)
    return UseCases(settings=settings, adapters=adapters), adapters


def handler_providers(use_cases: UseCases) -> dict[str, Callable[[], object]]:
    """The use-case factories by name: what the HTTP layer turns into request dependencies."""
    return {
        name: provider
        for name, provider in use_cases.providers.items()
        if isinstance(provider, providers.Factory) and name != "create_admin"
    }


async def start(adapters: Adapters | MemoryAdapters) -> None:
    """Start the adapters' resources (thread pools); connections open lazily on first use."""
    adapters.init_resources()


async def stop(adapters: Adapters | MemoryAdapters) -> None:
    """Stop the resources and close the database pool."""
    adapters.shutdown_resources()
    if isinstance(adapters, Adapters):
        await adapters.engine().dispose()
