"""The adapter sets: production (SQL, argon2, JWT keys, Redis when configured, SMTP) and in-memory.

Both declare the same provider names, so `UseCases` runs over either; both declare `lifecycle`,
the adapters that hold resources, in the order they start (they stop in reverse).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dependency_injector import containers, providers

from adapters.audit_lines import log_audit_event
from adapters.clock import SystemClock
from adapters.crypto.api_key_codec import HmacApiKeyCodec
from adapters.crypto.hs256_issuer import Hs256TokenIssuer
from adapters.crypto.jose_issuer import JoseTokenIssuer
from adapters.crypto.pwdlib_hasher import PwdlibPasswordHasher
from adapters.crypto.pyotp_totp import PyotpTotpAlgorithm
from adapters.crypto.recovery_code_hasher import HmacRecoveryCodeHasher
from adapters.crypto.signing_key_store import SigningKeyStore
from adapters.crypto.token_sealer import AeadTokenSealer
from adapters.fallback import FallbackRateLimiter, OutageTracker
from adapters.http_client.range_breach_check import RangeBreachCheck
from adapters.http_client.webhook_sender import HttpWebhookSender
from adapters.identity_providers.provider_set import IdentityProviderSet, ProviderClient
from adapters.kv.client import RedisConnection
from adapters.kv.probe import RedisProbe
from adapters.kv.rate_limiter import RedisRateLimiter
from adapters.kv.revocation_list import RedisRevocationList
from adapters.mail.log_mailer import LogMailer
from adapters.mail.smtp_mailer import SmtpMailer
from adapters.memory.breached_passwords import MemoryBreachedPasswords
from adapters.memory.hasher import MemoryPasswordHasher
from adapters.memory.login_attempts import MemoryLoginAttemptCounter
from adapters.memory.mailer import MemoryMailer
from adapters.memory.outbox_queue import MemoryOutboxQueue
from adapters.memory.rate_limiter import MemoryRateLimiter
from adapters.memory.revocation_list import MemoryRevocationList
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryReadOnlyUnitOfWork, MemoryUnitOfWork
from adapters.memory.webhook_sender import MemoryWebhookSender
from adapters.metrics.prometheus import MULTIPROCESS_DIR_VARIABLE, PrometheusMetrics
from adapters.no_breach_check import NoBreachCheck
from adapters.probes import NotConfiguredProbe
from adapters.qr.segno_renderer import SegnoQrRenderer
from adapters.random_secrets import OsSecretGenerator
from adapters.sql.driver import Database, open_database
from adapters.sql.login_attempts import SqlLoginAttemptCounter
from adapters.sql.outbox_queue import SqlOutboxQueue
from adapters.sql.unit_of_work import SqlReadOnlyUnitOfWork, SqlUnitOfWork
from adapters.webauthn.py_webauthn import PyWebAuthnCeremonies
from application.messagebus import MessageBus
from application.subscribers import message_bus
from domain.ports.clock import Clock
from domain.webhooks import WebhookSubscription, webhook_key
from entrypoints.settings import Settings


def _database(settings: Settings) -> Database:
    return open_database(
        settings.database.url, pool_size=settings.database.pool_size, schema=settings.database.schema or None
    )


def _mail_sealer(settings: Settings) -> AeadTokenSealer:
    return AeadTokenSealer(settings.tokens.secret_bytes, "outbox link token")


def _totp_sealer(settings: Settings) -> AeadTokenSealer:
    return AeadTokenSealer(settings.tokens.secret_bytes, "totp secret")


def _webauthn(settings: Settings) -> PyWebAuthnCeremonies:
    party = settings.relying_party
    return PyWebAuthnCeremonies(rp_id=party.id, rp_name=party.name, origins=party.origins)


def _identity_providers(settings: Settings, clock: Clock) -> IdentityProviderSet:
    oauth = settings.oauth
    clients = [
        ProviderClient(
            name=name,
            display_name=oauth.display_name_of(name),
            client_id=oauth.clients[name].client_id,
            client_secret=oauth.clients[name].client_secret,
            issuer=oauth.issuer_of(name),
        )
        for name in oauth.provider_names
    ]
    return IdentityProviderSet(clients, clock, oauth.timeout_seconds)


def _api_key_codec(settings: Settings) -> HmacApiKeyCodec:
    return HmacApiKeyCodec(settings.tokens.secret_bytes)


def _recovery_code_hasher(settings: Settings) -> HmacRecoveryCodeHasher:
    return HmacRecoveryCodeHasher(settings.tokens.secret_bytes)


def _metrics() -> PrometheusMetrics:
    # `bastion serve` points the variable at a directory the workers share (entrypoints.serving);
    # an application served otherwise counts in its own process.
    return PrometheusMetrics(multiprocess_dir=os.environ.get(MULTIPROCESS_DIR_VARIABLE) or None)


def _if_enabled(settings: Settings, metrics: PrometheusMetrics) -> PrometheusMetrics | None:
    return metrics if settings.server.metrics_enabled else None


def _webhooks(settings: Settings) -> WebhookSubscription | None:
    return settings.webhook.subscription


def _webhook_sender(settings: Settings, clock: Clock) -> HttpWebhookSender:
    """Built only when webhooks are on (`UseCases.lifecycle`)."""
    return HttpWebhookSender(webhook_key(settings.webhook.secret), clock)


def _hasher(settings: Settings, metrics: PrometheusMetrics | None) -> PwdlibPasswordHasher:
    return PwdlibPasswordHasher(
        memory_cost=settings.hashing.memory_kib,
        time_cost=settings.hashing.time_cost,
        parallelism=settings.hashing.parallelism,
        threads=settings.hashing.threads,
        max_pending=settings.hashing.max_pending,
        on_depth_change=metrics.hash_queue_changed if metrics is not None else None,
    )


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


def _issuer(settings: Settings) -> Hs256TokenIssuer | JoseTokenIssuer:
    """One issuer per algorithm family: HS256 signs with the secret, the others with key files."""
    tokens = settings.tokens
    if tokens.algorithm == "HS256":
        return Hs256TokenIssuer(
            secret=tokens.secret_bytes,
            issuer=tokens.issuer,
            audience=tokens.audience,
            leeway_seconds=tokens.leeway_seconds,
        )
    return JoseTokenIssuer(
        algorithm=tokens.algorithm,
        keys=key_store(settings).load(),
        issuer=tokens.issuer,
        audience=tokens.audience,
        leeway_seconds=tokens.leeway_seconds,
    )


def _store_kind(settings: Settings) -> str:
    return "redis" if settings.redis.url else "local"


def _bus(
    revocations: providers.Provider[Any],
    attempts: providers.Provider[Any],
    settings: providers.Provider[Settings],
    metrics: providers.Provider[Any],
) -> providers.Singleton[MessageBus]:
    """The message bus over an adapter set's revocation list, login-attempt counter and metrics."""
    return providers.Singleton(
        message_bus,
        revocations=revocations,
        attempts=attempts,
        policy=settings.provided.tokens.session_policy,
        audit_lines=providers.Object(log_audit_event),
        metrics=metrics,
    )


class ProductionAdapters(containers.DeclarativeContainer):
    """SQL database, argon2 hashing, JWT signing, the system clock, SMTP (or the log); Redis for
    limits, lockout counts and revocations when BASTION_REDIS_URL is set, else the database and memory."""

    settings = providers.Dependency(instance_of=Settings)
    store_kind = providers.Callable(_store_kind, settings)
    # A Singleton, not an async Resource: an async resource would turn every provider that depends
    # on it into one returning awaitables, on every request. Its `stop` closes the pool.
    database = providers.Singleton(_database, settings)
    all_metrics = providers.Singleton(_metrics)
    # None when BASTION_METRICS_ENABLED is off: nothing observes, nothing is served.
    metrics = providers.Callable(_if_enabled, settings, all_metrics)
    hasher = providers.Singleton(_hasher, settings, metrics)
    issuer = providers.Singleton(_issuer, settings)
    clock = providers.Singleton(SystemClock)
    secrets = providers.Singleton(OsSecretGenerator)
    mail_sealer = providers.Singleton(_mail_sealer, settings)
    totp_sealer = providers.Singleton(_totp_sealer, settings)
    recovery_code_hasher = providers.Singleton(_recovery_code_hasher, settings)
    totp = providers.Singleton(PyotpTotpAlgorithm)
    qr = providers.Singleton(SegnoQrRenderer)
    webauthn = providers.Singleton(_webauthn, settings)
    api_key_codec = providers.Singleton(_api_key_codec, settings)
    identity_providers = providers.Singleton(_identity_providers, settings, clock)

    # Never built when Redis is not configured.
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
    # Always in the database, Redis or not: every process shares the counts, and an outage of Redis
    # neither forgets them nor splits them per process.
    login_attempts = providers.Singleton(SqlLoginAttemptCounter, database)
    revocations = providers.Selector(
        store_kind,
        redis=providers.Singleton(RedisRevocationList, redis, redis_prefix),
        local=providers.Singleton(MemoryRevocationList),
    )
    bus = _bus(revocations, login_attempts, settings, metrics)
    webhooks = providers.Singleton(_webhooks, settings)
    uow = providers.Factory(SqlUnitOfWork, database, bus, webhooks)
    reader = providers.Factory(SqlReadOnlyUnitOfWork, database)
    mailer = providers.Singleton(_mailer, settings)
    outbox_queue = providers.Singleton(SqlOutboxQueue, database)
    webhook_sender = providers.Singleton(_webhook_sender, settings, clock)
    probes = providers.Selector(
        store_kind,
        redis=providers.List(providers.Singleton(RedisProbe, redis)),
        local=providers.List(providers.Singleton(NotConfiguredProbe, "redis")),
    )
    breached_passwords = providers.Selector(
        settings.provided.passwords.breach_check,
        off=providers.Singleton(NoBreachCheck),
        range=providers.Singleton(RangeBreachCheck, settings.provided.passwords.breach_url),
    )
    # The Redis client before the revocation subscriber that uses it.
    lifecycle = providers.Selector(
        store_kind,
        redis=providers.List(
            hasher, database, redis_connection, revocations, breached_passwords, identity_providers, all_metrics
        ),
        local=providers.List(hasher, database, breached_passwords, identity_providers, all_metrics),
    )


class MemoryAdapters(containers.DeclarativeContainer):
    """The same provider names over in-memory adapters, for tests and experiments."""

    settings = providers.Dependency(instance_of=Settings)
    store = providers.Singleton(MemoryStore)
    all_metrics = providers.Singleton(PrometheusMetrics)
    metrics = providers.Callable(_if_enabled, settings, all_metrics)
    hasher = providers.Singleton(MemoryPasswordHasher)
    issuer = providers.Singleton(_issuer, settings)
    clock = providers.Singleton(SystemClock)
    secrets = providers.Singleton(OsSecretGenerator)
    mail_sealer = providers.Singleton(_mail_sealer, settings)
    totp_sealer = providers.Singleton(_totp_sealer, settings)
    recovery_code_hasher = providers.Singleton(_recovery_code_hasher, settings)
    totp = providers.Singleton(PyotpTotpAlgorithm)
    qr = providers.Singleton(SegnoQrRenderer)
    webauthn = providers.Singleton(_webauthn, settings)
    api_key_codec = providers.Singleton(_api_key_codec, settings)
    # The real providers over HTTP: tests run them against providers of their own.
    identity_providers = providers.Singleton(_identity_providers, settings, clock)
    rate_limiter = providers.Singleton(MemoryRateLimiter)
    login_attempts = providers.Singleton(MemoryLoginAttemptCounter)
    revocations = providers.Singleton(MemoryRevocationList)
    bus = _bus(revocations, login_attempts, settings, metrics)
    webhooks = providers.Singleton(_webhooks, settings)
    uow = providers.Factory(MemoryUnitOfWork, store, bus, webhooks)
    reader = providers.Factory(MemoryReadOnlyUnitOfWork, store)
    mailer = providers.Singleton(MemoryMailer)
    outbox_queue = providers.Singleton(MemoryOutboxQueue, store)
    webhook_sender = providers.Singleton(MemoryWebhookSender)
    probes = providers.List(providers.Singleton(NotConfiguredProbe, "redis"))
    breached_passwords = providers.Singleton(MemoryBreachedPasswords)
    lifecycle = providers.List(identity_providers)
