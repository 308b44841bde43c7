"""The composition root: the only module that names adapter classes or imports dependency_injector."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from pathlib import Path

from dependency_injector import containers, providers

from adapters.audit_lines import log_audit_event
from adapters.clock import SystemClock
from adapters.crypto.hs256_issuer import Hs256TokenIssuer
from adapters.crypto.jose_issuer import JoseTokenIssuer
from adapters.crypto.pwdlib_hasher import PwdlibPasswordHasher
from adapters.crypto.signing_keys import SigningKeyStore
from adapters.fallback import FallbackLoginAttemptCounter, FallbackRateLimiter, OutageTracker
from adapters.kv.client import RedisConnection
from adapters.kv.login_attempts import RedisLoginAttemptCounter
from adapters.kv.probe import RedisProbe
from adapters.kv.rate_limiter import RedisRateLimiter
from adapters.kv.revocation_list import RedisRevocationList
from adapters.mail.log_mailer import LogMailer
from adapters.mail.smtp_mailer import SmtpMailer
from adapters.memory.hasher import MemoryPasswordHasher
from adapters.memory.login_attempts import MemoryLoginAttemptCounter
from adapters.memory.mailer import MemoryMailer
from adapters.memory.outbox_queue import MemoryOutboxQueue
from adapters.memory.rate_limiter import MemoryRateLimiter
from adapters.memory.revocation_list import MemoryRevocationList
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryReadOnlyUnitOfWork, MemoryUnitOfWork
from adapters.probes import NotConfiguredProbe
from adapters.random_secrets import OsSecretGenerator
from adapters.sql.driver import Database, open_database
from adapters.sql.login_attempts import SqlLoginAttemptCounter
from adapters.sql.outbox_queue import SqlOutboxQueue
from adapters.sql.unit_of_work import SqlReadOnlyUnitOfWork, SqlUnitOfWork
from application.account.account_mail import AccountMail
from application.account.change_password import ChangePasswordHandler
from application.account.confirm_password_reset import ConfirmPasswordResetHandler
from application.account.delete_account import DeleteAccountHandler
from application.account.get_profile import GetProfileHandler
from application.account.mail_templates import MailTemplates
from application.account.request_password_reset import RequestPasswordResetHandler
from application.account.resend_verification import ResendVerificationHandler
from application.account.update_profile import UpdateProfileHandler
from application.account.verify_email import VerifyEmailHandler
from application.admin.get_user import GetUserHandler
from application.admin.list_audit_events import ListAuditEventsHandler
from application.admin.list_users import ListUsersHandler
from application.admin.revoke_user_sessions import RevokeUserSessionsHandler
from application.admin.unlock_user import UnlockUserHandler
from application.admin.update_user import UpdateUserHandler
from application.auth.authenticate import AuthenticateHandler
from application.auth.end_session import EndSessionHandler
from application.auth.get_public_keys import GetPublicKeysHandler
from application.auth.list_sessions import ListSessionsHandler
from application.auth.log_in import LogInHandler
from application.auth.log_out import LogOutHandler
from application.auth.log_out_everywhere import LogOutEverywhereHandler
from application.auth.refresh_session import RefreshSessionHandler
from application.auth.register_user import RegisterUserHandler
from application.auth.session_tokens import SessionTokens
from application.ops.check_readiness import CheckReadinessHandler
from application.ops.deliver_outbox import DeliverOutboxHandler
from application.ops.seed_revocations import SeedRevocationsHandler
from application.ops.throttle_request import ThrottleRequestHandler
from application.subscribers import message_bus
from application.tasks.create_task import CreateTaskHandler
from application.tasks.delete_task import DeleteTaskHandler
from application.tasks.get_task import GetTaskHandler
from application.tasks.list_tasks import ListTasksHandler
from application.tasks.update_task import UpdateTaskHandler
from domain.accounts import User
from domain.mail import DeliveryPolicy
from entrypoints.outbox_worker import OutboxWorker
from entrypoints.settings import Settings


def _database(settings: Settings) -> Database:
    return open_database(
        settings.database.url, pool_size=settings.database.pool_size, schema=settings.database.schema or None
    )


def _hasher(settings: Settings) -> Iterator[PwdlibPasswordHasher]:
    hasher = PwdlibPasswordHasher(
        memory_cost=settings.hashing.memory_kib,
        time_cost=settings.hashing.time_cost,
        parallelism=settings.hashing.parallelism,
        threads=settings.hashing.threads,
        max_pending=settings.hashing.max_pending,
    )
    yield hasher
    hasher.close()


def _mailer(settings: Settings) -> SmtpMailer | LogMailer:
    if not settings.mail.host:
        return LogMailer()
    return SmtpMailer(
        host=settings.mail.host,
        port=settings.mail.port,
        sender=settings.mail.sender,
        username=settings.mail.username or None,
        password=settings.mail.password or None,
        starttls=settings.mail.starttls,
        ssl=settings.mail.ssl,
        timeout_seconds=settings.mail.timeout_seconds,
    )


def _issuer(settings: Settings) -> Hs256TokenIssuer | JoseTokenIssuer:
    if settings.tokens.algorithm == "HS256":
        return Hs256TokenIssuer(
            secret=settings.tokens.secret_bytes,
            issuer=settings.tokens.issuer,
            audience=settings.tokens.audience,
            leeway_seconds=settings.tokens.leeway_seconds,
        )
    return JoseTokenIssuer(
        algorithm=settings.tokens.algorithm,
        keys=key_store(settings).load(),
        issuer=settings.tokens.issuer,
        audience=settings.tokens.audience,
        leeway_seconds=settings.tokens.leeway_seconds,
    )


def _store_kind(settings: Settings) -> str:
    return "redis" if settings.redis.url else "local"


class Adapters(containers.DeclarativeContainer):
    """Production adapters: SQL database, argon2 hashing, JWT signing, the system clock; Redis for
    limits, lockout counts and revocations when BASTION_REDIS_URL is set, else the database and memory."""

    settings = providers.Dependency(instance_of=Settings)
    store_kind = providers.Callable(_store_kind, settings)
    # A Singleton, not an async Resource: an async resource would turn every provider that depends
    # on it into one returning awaitables, on every request. `stop` disposes of it.
    database = providers.Singleton(_database, settings)
    hasher = providers.Resource(_hasher, settings)
    issuer = providers.Singleton(_issuer, settings)
    clock = providers.Singleton(SystemClock)
    secrets = providers.Singleton(OsSecretGenerator)

    # Started by `start` and stopped by `stop`; never built when Redis is not configured.
    redis_connection = providers.Singleton(RedisConnection, settings.provided.redis.url)
    redis = redis_connection.provided.client
    redis_prefix = settings.provided.redis.prefix
    # One outage, one warning and one degraded flag for both fallbacks.
    redis_outage = providers.Singleton(OutageTracker, "redis")
    rate_limiter = providers.Selector(
        store_kind,
        redis=providers.Singleton(
            FallbackRateLimiter, primary=providers.Singleton(RedisRateLimiter, redis, redis_prefix),
            fallback=providers.Singleton(MemoryRateLimiter), outage=redis_outage,
        ),
        local=providers.Singleton(MemoryRateLimiter),
    )  # fmt: skip
    login_attempts = providers.Selector(
        store_kind,
        redis=providers.Singleton(
            FallbackLoginAttemptCounter, primary=providers.Singleton(RedisLoginAttemptCounter, redis, redis_prefix),
            fallback=providers.Singleton(MemoryLoginAttemptCounter), outage=redis_outage,
        ),
        local=providers.Singleton(SqlLoginAttemptCounter, database),
    )  # fmt: skip
    revocations = providers.Selector(
        store_kind,
        redis=providers.Singleton(RedisRevocationList, redis, redis_prefix),
        local=providers.Singleton(MemoryRevocationList),
    )
    bus = providers.Singleton(
        message_bus,
        revocations=revocations,
        attempts=login_attempts,
        policy=providers.Singleton(operator.attrgetter("tokens.session_policy"), settings),
        audit_lines=providers.Object(log_audit_event),
    )
    uow = providers.Factory(SqlUnitOfWork, database, bus)
    reader = providers.Factory(SqlReadOnlyUnitOfWork, database)
    mailer = providers.Singleton(_mailer, settings)
    outbox_queue = providers.Singleton(SqlOutboxQueue, database)
    probes = providers.Selector(
        store_kind,
        redis=providers.List(providers.Singleton(RedisProbe, redis)),
        local=providers.List(providers.Singleton(NotConfiguredProbe, "redis")),
    )


class MemoryAdapters(containers.DeclarativeContainer):
    """The same provider names over in-memory adapters, for tests and experiments."""

    settings = providers.Dependency(instance_of=Settings)
    store = providers.Singleton(MemoryStore)
    hasher = providers.Singleton(MemoryPasswordHasher)
    issuer = providers.Singleton(_issuer, settings)
    clock = providers.Singleton(SystemClock)
    secrets = providers.Singleton(OsSecretGenerator)
    rate_limiter = providers.Singleton(MemoryRateLimiter)
    login_attempts = providers.Singleton(MemoryLoginAttemptCounter)
    revocations = providers.Singleton(MemoryRevocationList)
    bus = providers.Singleton(
        message_bus,
        revocations=revocations,
        attempts=login_attempts,
        policy=providers.Singleton(operator.attrgetter("tokens.session_policy"), settings),
        audit_lines=providers.Object(log_audit_event),
    )
    uow = providers.Factory(MemoryUnitOfWork, store, bus)
    reader = providers.Factory(MemoryReadOnlyUnitOfWork, store)
    mailer = providers.Singleton(MemoryMailer)
    outbox_queue = providers.Singleton(MemoryOutboxQueue, store)
    probes = providers.List(providers.Singleton(NotConfiguredProbe, "redis"))


class UseCases(containers.DeclarativeContainer):
    """One factory per use case; the adapter set is whatever `adapters` is given."""

    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.DependenciesContainer()

    password_policy = providers.Singleton(operator.attrgetter("passwords.policy"), settings)
    session_policy = providers.Singleton(operator.attrgetter("tokens.session_policy"), settings)
    session_tokens = providers.Singleton(
        SessionTokens,
        issuer=adapters.issuer,
        secrets=adapters.secrets,
        policy=session_policy,
        successor_key=providers.Singleton(operator.attrgetter("tokens.successor_key"), settings),
    )
    revoking = {"clock": adapters.clock, "revocations": adapters.revocations, "policy": session_policy}
    account_mail = providers.Singleton(
        AccountMail,
        secrets=adapters.secrets,
        templates=providers.Singleton(
            MailTemplates, settings.provided.server.public_url, settings.provided.server.app_name
        ),
        policy=providers.Singleton(operator.attrgetter("accounts.token_policy"), settings),
    )

    registering = {
        "uow": adapters.uow,
        "reader": adapters.reader,
        "hasher": adapters.hasher,
        "clock": adapters.clock,
        "mail": account_mail,
    }
    register_user = providers.Factory(RegisterUserHandler, policy=password_policy, **registering)
    create_admin = providers.Factory(
        RegisterUserHandler, policy=password_policy, new_account=User.register_admin, **registering
    )
    log_in = providers.Factory(
        LogInHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        hasher=adapters.hasher,
        tokens=session_tokens,
        clock=adapters.clock,
        attempts=adapters.login_attempts,
        lockout=providers.Singleton(operator.attrgetter("throttling.lockout_policy"), settings),
        require_verified_email=settings.provided.accounts.require_verified_email,
    )
    refresh_session = providers.Factory(
        RefreshSessionHandler, uow=adapters.uow, tokens=session_tokens, clock=adapters.clock
    )
    log_out = providers.Factory(LogOutHandler, uow=adapters.uow, clock=adapters.clock)
    log_out_everywhere = providers.Factory(LogOutEverywhereHandler, uow=adapters.uow, clock=adapters.clock)
    end_session = providers.Factory(EndSessionHandler, uow=adapters.uow, clock=adapters.clock)
    seed_revocations = providers.Factory(SeedRevocationsHandler, uow=adapters.uow, **revoking)
    list_sessions = providers.Factory(ListSessionsHandler, reader=adapters.reader, clock=adapters.clock)
    get_profile = providers.Factory(GetProfileHandler, reader=adapters.reader, clock=adapters.clock)
    # Built once: it runs on every authenticated request and holds no per-request state.
    authenticate = providers.Singleton(
        AuthenticateHandler, issuer=adapters.issuer, revocations=adapters.revocations, clock=adapters.clock
    )
    check_readiness = providers.Factory(CheckReadinessHandler, uow=adapters.uow, probes=adapters.probes)
    request_password_reset = providers.Factory(
        RequestPasswordResetHandler, uow=adapters.uow, clock=adapters.clock, mail=account_mail
    )
    confirm_password_reset = providers.Factory(
        ConfirmPasswordResetHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        hasher=adapters.hasher,
        clock=adapters.clock,
        policy=password_policy,
    )
    verify_email = providers.Factory(VerifyEmailHandler, uow=adapters.uow, clock=adapters.clock)
    resend_verification = providers.Factory(
        ResendVerificationHandler, uow=adapters.uow, clock=adapters.clock, mail=account_mail
    )
    change_password = providers.Factory(
        ChangePasswordHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        hasher=adapters.hasher,
        clock=adapters.clock,
        policy=password_policy,
    )
    update_profile = providers.Factory(UpdateProfileHandler, uow=adapters.uow, clock=adapters.clock)
    delete_account = providers.Factory(
        DeleteAccountHandler, uow=adapters.uow, reader=adapters.reader, hasher=adapters.hasher, clock=adapters.clock
    )
    create_task = providers.Factory(CreateTaskHandler, uow=adapters.uow, clock=adapters.clock)
    list_tasks = providers.Factory(ListTasksHandler, reader=adapters.reader)
    get_task = providers.Factory(GetTaskHandler, reader=adapters.reader)
    update_task = providers.Factory(UpdateTaskHandler, uow=adapters.uow, clock=adapters.clock)
    delete_task = providers.Factory(DeleteTaskHandler, uow=adapters.uow)
    deliver_outbox = providers.Factory(
        DeliverOutboxHandler,
        queue=adapters.outbox_queue,
        mailer=adapters.mailer,
        clock=adapters.clock,
        policy=providers.Singleton(DeliveryPolicy),
    )
    list_users = providers.Factory(ListUsersHandler, reader=adapters.reader)
    get_user = providers.Factory(GetUserHandler, reader=adapters.reader)
    update_user = providers.Factory(UpdateUserHandler, uow=adapters.uow, clock=adapters.clock)
    unlock_user = providers.Factory(UnlockUserHandler, uow=adapters.uow, clock=adapters.clock)
    revoke_user_sessions = providers.Factory(RevokeUserSessionsHandler, uow=adapters.uow, clock=adapters.clock)
    list_audit_events = providers.Factory(ListAuditEventsHandler, reader=adapters.reader)
    get_public_keys = providers.Singleton(GetPublicKeysHandler, issuer=adapters.issuer)
    outbox_worker = providers.Singleton(
        OutboxWorker, deliver=deliver_outbox.provider, interval=settings.provided.mail.outbox_poll_seconds
    )
    throttle_request = providers.Singleton(
        ThrottleRequestHandler,
        limiter=adapters.rate_limiter,
        clock=adapters.clock,
        policy=providers.Singleton(operator.attrgetter("throttling.throttle_policy"), settings),
    )


def production(settings: Settings) -> tuple[UseCases, Adapters]:
    adapters = Adapters(settings=settings)
    return UseCases(settings=settings, adapters=adapters), adapters


def in_memory(settings: Settings) -> tuple[UseCases, MemoryAdapters]:
    adapters = MemoryAdapters(settings=settings)
    return UseCases(settings=settings, adapters=adapters), adapters


HTTP_HANDLERS = frozenset(
    {
        "register_user", "log_in", "refresh_session", "log_out", "log_out_everywhere", "end_session",
        "list_sessions", "get_profile", "authenticate", "check_readiness", "throttle_request",
        "request_password_reset", "confirm_password_reset", "verify_email", "resend_verification",
        "change_password", "update_profile", "delete_account",
        "create_task", "list_tasks", "get_task", "update_task", "delete_task",
        "list_users", "get_user", "update_user", "unlock_user", "revoke_user_sessions", "list_audit_events",
        "get_public_keys",
    }
)  # fmt: skip


def handler_providers(use_cases: UseCases) -> dict[str, Callable[[], object]]:
    """The use-case providers the HTTP layer turns into request dependencies, by name."""
    return {name: getattr(use_cases, name) for name in sorted(HTTP_HANDLERS)}


def _is_production(adapters: Adapters | MemoryAdapters) -> bool:
    # Instantiating a declarative container gives a DynamicContainer, so isinstance cannot tell them apart.
    return "database" in adapters.providers


def _uses_redis(adapters: Adapters | MemoryAdapters) -> bool:
    settings: Settings = adapters.settings()
    return _is_production(adapters) and bool(settings.redis.url)


def key_store(settings: Settings) -> SigningKeyStore:
    """The signing keys of an asymmetric algorithm.

    Raises:
        ValueError: HS256 is configured, or BASTION_JWT_KEYS_DIR is not set.
    """
    if settings.tokens.algorithm == "HS256":
        raise ValueError("BASTION_JWT_ALGORITHM is HS256, which signs with BASTION_SECRET_KEY and has no key files")
    if not settings.tokens.keys_dir:
        raise ValueError("BASTION_JWT_KEYS_DIR is not set")
    return SigningKeyStore(Path(settings.tokens.keys_dir), settings.tokens.algorithm)


async def start(use_cases: UseCases, adapters: Adapters | MemoryAdapters) -> None:
    """Start the adapters (thread pools, the Redis client and the revocation subscriber) and seed
    the revocation list from the database. Database connections open lazily on first use; the
    signing keys are loaded here, so a bad key directory stops the start instead of a request."""
    adapters.issuer()
    adapters.init_resources()
    revocations = adapters.revocations()
    if _uses_redis(adapters) and isinstance(revocations, RedisRevocationList):
        await adapters.redis_connection().start()
        await revocations.start()
    await use_cases.seed_revocations().handle()
    use_cases.outbox_worker().start()


async def stop(use_cases: UseCases, adapters: Adapters | MemoryAdapters) -> None:
    """Stop what `start` started and close the database pool."""
    await use_cases.outbox_worker().stop()
    adapters.shutdown_resources()
    revocations = adapters.revocations()
    if _uses_redis(adapters) and isinstance(revocations, RedisRevocationList):
        await revocations.stop()
        await adapters.redis_connection().stop()
    if _is_production(adapters):
        await adapters.database().close()
