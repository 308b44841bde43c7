"""The groups of `Settings`, one per concern, each field with the BASTION_* variable it is read from.

- server: environment, name, public address, debug, and what the HTTP layer accepts (hosts, CORS,
  HSTS, body size, docs, trusted proxies);
- database and redis: where state is kept, and the database pool;
- tokens: JWT signing (secret, algorithm, keys, issuer, audience) and token lifetimes;
- passwords: the password policy and the breach check; hashing: argon2id costs and the hashing threads;
- throttling: rate limits and lockout; accounts: verified emails and the lifetimes of mailed links;
- mail: the SMTP server and the outbox; webhook: the receiver of audit events.

A field's encoded name (`msgspec.field(name=...)`, else its own name) is its variable without the
BASTION_ prefix, in lower case: `DatabaseSettings.url` is read from BASTION_DATABASE_URL. Names are
unique across the groups, which is how `entrypoints.settings` routes each variable to its group.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Literal

import msgspec

from domain.networks import Network, parse_network
from domain.one_time_tokens import AccountTokenPolicy
from domain.passwords import PasswordPolicy
from domain.sessions import SessionPolicy
from domain.throttling import LockoutPolicy, ThrottlePolicy
from domain.webhooks import WebhookSubscription, parse_event_types
from entrypoints.process_tuning import MAX_HASH_THREADS, SQLITE_POOL_SIZE, default_hash_threads

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./bastion.db"
PWNED_PASSWORDS_RANGE_URL = "https://api.pwnedpasswords.com/range/"
# NIST SP 800-63B-4: at least 15 characters for a password that is the only factor.
NIST_MIN_LENGTH = 15
DEVELOPMENT_CORS_ORIGINS = "http://localhost:3000,http://localhost:5173"


# Browsers refuse passkeys on an IP address, so the development address is a host name.
DEVELOPMENT_PUBLIC_URL = "http://localhost:8000"


def comma_separated(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class ServerSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The served application: where it runs, its public address and what its HTTP layer accepts."""

    environment: Literal["development", "production", "test"] = "development"
    """BASTION_ENVIRONMENT: `production` turns on the start-up checks and HSTS."""
    app_name: str = "Bastion"
    """BASTION_APP_NAME: the name in health answers, mail and the API docs."""
    debug: bool = False
    """BASTION_DEBUG: Litestar's debug mode (tracebacks in answers); never honoured in production."""
    public_url: str | None = None
    """BASTION_PUBLIC_URL: the address clients reach the service at, the base of mailed links and the
    passkeys' relying party (a host name: browsers refuse passkeys on an IP address); unset:
    http://localhost:8000, for development (production refuses to start without it)."""
    docs_enabled: bool | None = None
    """BASTION_DOCS_ENABLED: whether the OpenAPI docs are served under /schema; unset: not in production."""
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=100 * 1024 * 1024)] = 65536
    """BASTION_MAX_BODY_BYTES: the largest request body accepted, in bytes (larger: 413)."""
    cors_origins: str | None = None
    """BASTION_CORS_ORIGINS: comma-separated origins browsers may call the API from; unset: the local
    front-end servers in development (`DEVELOPMENT_CORS_ORIGINS`), none in production."""
    allowed_hosts: str = "*"
    """BASTION_ALLOWED_HOSTS: comma-separated host names the service answers for."""
    hsts: bool | None = None
    """BASTION_HSTS: send Strict-Transport-Security on HTTPS requests; unset: in production only."""
    trusted_proxies: str = ""
    """BASTION_TRUSTED_PROXIES: comma-separated addresses or CIDR ranges whose X-Forwarded-* headers are believed."""
    admin_allowed_ips: str = ""
    """BASTION_ADMIN_ALLOWED_IPS: comma-separated CIDR ranges, IPv4 or IPv6 (a bare address is a range of
    one), that every /admin/* route may be called from; any other client IP gets 403
    (`admin_ip_not_allowed`), with or without a token. The client IP is judged as with
    BASTION_TRUSTED_PROXIES; empty: any."""
    log_format: Literal["text", "json"] | None = None
    """BASTION_LOG_FORMAT: `text` or `json` (one object per line); unset: json in production, text otherwise."""
    log_requests: bool = False
    """BASTION_LOG_REQUESTS: one log line per request (method, route, status, duration, request id)."""
    metrics_enabled: bool = True
    """BASTION_METRICS_ENABLED: serve Prometheus metrics at GET /metrics."""
    hosted_pages: bool = True
    """BASTION_HOSTED_PAGES: serve the hosted HTML pages (/register, /login, /account, /reset-password,
    /verify-email); false: they answer 404, for a team that serves its own front end."""

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def hsts_enabled(self) -> bool:
        return self.is_production if self.hsts is None else self.hsts

    @property
    def json_logs(self) -> bool:
        return self.is_production if self.log_format is None else self.log_format == "json"

    @property
    def docs_served(self) -> bool:
        return not self.is_production if self.docs_enabled is None else self.docs_enabled

    @property
    def cors_origin_list(self) -> list[str]:
        if self.cors_origins is None:
            return [] if self.is_production else comma_separated(DEVELOPMENT_CORS_ORIGINS)
        return comma_separated(self.cors_origins)

    @property
    def base_url(self) -> str:
        """BASTION_PUBLIC_URL, or the development default when it is unset."""
        return self.public_url or DEVELOPMENT_PUBLIC_URL

    @property
    def allowed_host_list(self) -> list[str]:
        return comma_separated(self.allowed_hosts)

    @property
    def trusted_proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(item, strict=False) for item in comma_separated(self.trusted_proxies)]

    @property
    def admin_allowed_networks(self) -> tuple[Network, ...]:
        """The ranges of BASTION_ADMIN_ALLOWED_IPS; none: any client IP (`domain.networks.ip_allowed`)."""
        return tuple(parse_network(item) for item in comma_separated(self.admin_allowed_ips))


class DatabaseSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The SQL database of accounts, sessions, tasks, the audit trail and the outbox."""

    url: str = msgspec.field(default=DEFAULT_DATABASE_URL, name="database_url")
    """BASTION_DATABASE_URL: an SQLAlchemy URL, `sqlite+aiosqlite:///...` or `postgresql+asyncpg://...`."""
    schema: str = msgspec.field(default="", name="database_schema")
    """BASTION_DATABASE_SCHEMA: the PostgreSQL schema (its search_path); empty: the server's default."""
    pool_size: Annotated[int, msgspec.Meta(ge=1, le=200)] = msgspec.field(
        default=SQLITE_POOL_SIZE, name="database_pool_size"
    )
    """BASTION_DATABASE_POOL_SIZE: connections per worker process; unset, `load_settings` picks
    `process_tuning.default_database_pool_size` for the URL and the workers."""


class RedisSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The Redis shared by every process for rate limits and revocations (optional)."""

    url: str = msgspec.field(default="", name="redis_url")
    """BASTION_REDIS_URL: e.g. `redis://127.0.0.1:6379/0`; empty: no Redis, state kept per process."""
    prefix: str = msgspec.field(default="bastion:", name="redis_prefix")
    """BASTION_REDIS_PREFIX: the prefix of every Redis key and channel."""


class TokenSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Signing and lifetimes of access and refresh tokens."""

    secret_key: str = ""
    """BASTION_SECRET_KEY: the HS256 signing secret (32 bytes at least), also the key of refresh-token successors."""
    algorithm: Literal["HS256", "EdDSA", "ES256", "RS256"] = msgspec.field(default="HS256", name="jwt_algorithm")
    """BASTION_JWT_ALGORITHM: the JWS algorithm access tokens are signed with."""
    keys_dir: str = msgspec.field(default="", name="jwt_keys_dir")
    """BASTION_JWT_KEYS_DIR: the directory of signing keys, required by the asymmetric algorithms."""
    jwks_max_age_seconds: Annotated[int, msgspec.Meta(ge=0, le=86400)] = 300
    """BASTION_JWKS_MAX_AGE_SECONDS: Cache-Control max-age of the JWKS, in seconds."""
    issuer: str = msgspec.field(default="bastion", name="jwt_issuer")
    """BASTION_JWT_ISSUER: the `iss` claim issued and required."""
    audience: str = msgspec.field(default="bastion", name="jwt_audience")
    """BASTION_JWT_AUDIENCE: the `aud` claim issued and required."""
    leeway_seconds: Annotated[int, msgspec.Meta(ge=0, le=300)] = msgspec.field(default=5, name="jwt_leeway_seconds")
    """BASTION_JWT_LEEWAY_SECONDS: clock skew tolerated on exp, nbf and iat, in seconds."""
    access_expire_minutes: Annotated[int, msgspec.Meta(ge=1, le=1440)] = msgspec.field(
        default=15, name="access_token_expire_minutes"
    )
    """BASTION_ACCESS_TOKEN_EXPIRE_MINUTES: the lifetime of an access token, in minutes."""
    refresh_expire_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = msgspec.field(
        default=7, name="refresh_token_expire_days"
    )
    """BASTION_REFRESH_TOKEN_EXPIRE_DAYS: the lifetime of a refresh token from its rotation, in days."""
    refresh_reuse_grace_seconds: Annotated[int, msgspec.Meta(ge=0, le=300)] = 10
    """BASTION_REFRESH_REUSE_GRACE_SECONDS: how long a used refresh token may be replayed, in seconds (0: never)."""
    session_max_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 30
    """BASTION_SESSION_MAX_DAYS: how long a session lasts after its login, however often it is refreshed."""

    @property
    def secret_bytes(self) -> bytes:
        return self.secret_key.encode()

    @property
    def successor_key(self) -> bytes:
        """A key for refresh-token successors, derived from the secret so it needs no setting of its own."""
        return hmac.new(self.secret_bytes, b"bastion/refresh-token-successor/v1", hashlib.sha256).digest()

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            access_ttl=timedelta(minutes=self.access_expire_minutes),
            refresh_ttl=timedelta(days=self.refresh_expire_days),
            reuse_grace=timedelta(seconds=self.refresh_reuse_grace_seconds),
            max_lifetime=timedelta(days=self.session_max_days),
        )


class PasswordSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What a new password must look like, and whether a breach corpus is asked about it."""

    standard: Literal["classic", "nist"] = msgspec.field(default="classic", name="password_policy")
    """BASTION_PASSWORD_POLICY: `classic`, the length and composition rules below; `nist` (NIST SP
    800-63B-4), no composition rules and at least 15 characters (BASTION_PASSWORD_MIN_LENGTH if
    larger). Either way common passwords are refused."""
    min_length: Annotated[int, msgspec.Meta(ge=8, le=128)] = msgspec.field(default=8, name="password_min_length")
    """BASTION_PASSWORD_MIN_LENGTH: the fewest characters."""
    max_length: Annotated[int, msgspec.Meta(ge=8, le=1024)] = msgspec.field(default=128, name="password_max_length")
    """BASTION_PASSWORD_MAX_LENGTH: the most characters."""
    require_uppercase: bool = msgspec.field(default=True, name="password_require_uppercase")
    """BASTION_PASSWORD_REQUIRE_UPPERCASE: at least one upper-case letter."""
    require_lowercase: bool = msgspec.field(default=True, name="password_require_lowercase")
    """BASTION_PASSWORD_REQUIRE_LOWERCASE: at least one lower-case letter."""
    require_numbers: bool = msgspec.field(default=True, name="password_require_numbers")
    """BASTION_PASSWORD_REQUIRE_NUMBERS: at least one digit."""
    require_special: bool = msgspec.field(default=True, name="password_require_special")
    """BASTION_PASSWORD_REQUIRE_SPECIAL: at least one character that is neither a letter nor a digit."""
    breach_check: Literal["off", "range"] = msgspec.field(default="off", name="password_breach_check")
    """BASTION_PASSWORD_BREACH_CHECK: `range` also asks BASTION_PASSWORD_BREACH_URL about every new
    password (the first 5 hex digits of its SHA-1; no answer in 2 s accepts it); `off`: nobody."""
    breach_url: Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s]+$")] = msgspec.field(
        default=PWNED_PASSWORDS_RANGE_URL, name="password_breach_url"
    )
    """BASTION_PASSWORD_BREACH_URL: a Have I Been Pwned compatible range API; the 5 digits are appended."""

    @property
    def policy(self) -> PasswordPolicy:
        """The rules of BASTION_PASSWORD_POLICY; the composition root adds the common passwords."""
        if self.standard == "nist":
            return PasswordPolicy(
                min_length=max(NIST_MIN_LENGTH, self.min_length),
                max_length=self.max_length,
                require_uppercase=False,
                require_lowercase=False,
                require_digit=False,
                require_special=False,
            )
        return PasswordPolicy(
            min_length=self.min_length,
            max_length=self.max_length,
            require_uppercase=self.require_uppercase,
            require_lowercase=self.require_lowercase,
            require_digit=self.require_numbers,
            require_special=self.require_special,
        )


class HashingSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Argon2id password hashing: its cost and the threads it runs on, per worker process."""

    threads: Annotated[int, msgspec.Meta(ge=1, le=MAX_HASH_THREADS)] = msgspec.field(
        default_factory=default_hash_threads, name="hash_threads"
    )
    """BASTION_HASH_THREADS: argon2 threads per worker process; unset, `process_tuning.default_hash_threads`
    for the workers (`Settings()`: for one)."""
    max_pending: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = msgspec.field(default=64, name="hash_max_pending")
    """BASTION_HASH_MAX_PENDING: password checks queued or running per worker before 503."""
    memory_kib: Annotated[int, msgspec.Meta(ge=19456)] = msgspec.field(default=19456, name="argon2_memory_kib")
    """BASTION_ARGON2_MEMORY_KIB: argon2 memory cost per check, in KiB (OWASP floor 19456)."""
    time_cost: Annotated[int, msgspec.Meta(ge=2)] = msgspec.field(default=2, name="argon2_time_cost")
    """BASTION_ARGON2_TIME_COST: argon2 passes over the memory (OWASP floor 2)."""
    parallelism: Annotated[int, msgspec.Meta(ge=1)] = msgspec.field(default=1, name="argon2_parallelism")
    """BASTION_ARGON2_PARALLELISM: argon2 lanes per check."""


class ThrottlingSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Rate limits per client IP and lockout per login identifier."""

    rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 60
    """BASTION_RATE_LIMIT_PER_MINUTE: requests per client IP and minute (0: no limit)."""
    login_rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 5
    """BASTION_LOGIN_RATE_LIMIT_PER_MINUTE: requests to the sensitive routes per client IP and minute (0: no limit)."""
    max_failed_logins: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 5
    """BASTION_MAX_FAILED_LOGINS: failed logins of an identifier before it is locked out (0: no lockout)."""
    lockout_minutes: Annotated[int, msgspec.Meta(ge=1, le=7 * 24 * 60)] = 30
    """BASTION_LOCKOUT_MINUTES: how long a lockout lasts, in minutes."""

    @property
    def throttle_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            requests_per_minute=self.rate_limit_per_minute, sensitive_per_minute=self.login_rate_limit_per_minute
        )

    @property
    def lockout_policy(self) -> LockoutPolicy:
        return LockoutPolicy(max_failures=self.max_failed_logins, duration=timedelta(minutes=self.lockout_minutes))


class AccountSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Email verification and password reset: the mailed links and what login asks of the address."""

    require_verified_email: bool = False
    """BASTION_REQUIRE_VERIFIED_EMAIL: refuse login (403) to accounts whose email is not verified."""
    registration_privacy: bool = False
    """BASTION_REGISTRATION_PRIVACY: registration answers 202 alike for new and taken emails (the
    owner of a taken one is mailed a notice) instead of 201 / 409."""
    audit_retention_days: Annotated[int, msgspec.Meta(ge=0, le=36500)] = 365
    """BASTION_AUDIT_RETENTION_DAYS: audit events older than this are deleted (checked hourly); 0 keeps them all."""
    new_device_notice: bool = True
    """BASTION_NEW_DEVICE_NOTICE: mail the owner when an account that logged in before is logged in
    to without a device token (a device or browser not seen before)."""
    password_reset_expire_minutes: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)] = 30
    """BASTION_PASSWORD_RESET_EXPIRE_MINUTES: the lifetime of a mailed password-reset link, in minutes."""
    email_verify_expire_hours: Annotated[int, msgspec.Meta(ge=1, le=30 * 24)] = 24
    """BASTION_EMAIL_VERIFY_EXPIRE_HOURS: the lifetime of a mailed verification link, in hours."""
    mfa_issuer: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] = "Bastion"
    """BASTION_MFA_ISSUER: the issuer that TOTP setup URIs name (what authenticator apps show beside the account)."""
    webauthn_rp_id: str | None = None
    """BASTION_WEBAUTHN_RP_ID: the passkeys' relying party id, a domain that the host of every accepted
    origin is or ends in; unset: the host of BASTION_PUBLIC_URL."""
    webauthn_origins: str | None = None
    """BASTION_WEBAUTHN_ORIGINS: comma-separated origins, besides that of BASTION_PUBLIC_URL, whose
    pages may register and use passkeys (a front end on another host of the same domain)."""
    mfa_required_for_admins: bool = False
    """BASTION_MFA_REQUIRED_FOR_ADMINS: every /admin/* route answers 403 (`mfa_required`) to an access
    token whose login did not prove a second factor (its `amr` lacks `mfa`)."""

    @property
    def audit_retention(self) -> timedelta | None:
        return timedelta(days=self.audit_retention_days) if self.audit_retention_days else None

    @property
    def token_policy(self) -> AccountTokenPolicy:
        return AccountTokenPolicy(
            password_reset_ttl=timedelta(minutes=self.password_reset_expire_minutes),
            email_verification_ttl=timedelta(hours=self.email_verify_expire_hours),
        )


class MailSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Outgoing mail: the SMTP server and how often the outbox is emptied."""

    host: str = msgspec.field(default="", name="smtp_host")
    """BASTION_SMTP_HOST: the SMTP server; empty: mail is written to the log (refused in production)."""
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = msgspec.field(default=587, name="smtp_port")
    """BASTION_SMTP_PORT: the SMTP server's TCP port."""
    username: str = msgspec.field(default="", name="smtp_username")
    """BASTION_SMTP_USERNAME: the SMTP login; empty: none."""
    password: str = msgspec.field(default="", name="smtp_password")
    """BASTION_SMTP_PASSWORD: the SMTP password; empty: none."""
    sender: str = msgspec.field(default="Bastion <no-reply@localhost>", name="smtp_from")
    """BASTION_SMTP_FROM: the From address of every message."""
    starttls: bool = msgspec.field(default=True, name="smtp_starttls")
    """BASTION_SMTP_STARTTLS: upgrade the connection with STARTTLS."""
    ssl: bool = msgspec.field(default=False, name="smtp_ssl")
    """BASTION_SMTP_SSL: implicit TLS from the first byte (port 465)."""
    timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = msgspec.field(
        default=10.0, name="smtp_timeout_seconds"
    )
    """BASTION_SMTP_TIMEOUT_SECONDS: the limit on one whole hand-over to the server, in seconds."""
    outbox_poll_seconds: Annotated[float, msgspec.Meta(gt=0, le=600)] = 1.0
    """BASTION_OUTBOX_POLL_SECONDS: how often each process looks for mail to send, in seconds."""


class WebhookSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Audit events posted to one receiver through the outbox; off unless the URL and secret are set."""

    url: str = msgspec.field(default="", name="webhook_url")
    """BASTION_WEBHOOK_URL: where every audit event is POSTed (http or https, at most 320
    characters; https in production); empty: no webhooks."""
    secret: str = msgspec.field(default="", name="webhook_secret")
    """BASTION_WEBHOOK_SECRET: the signing secret, `whsec_` and the base64 of a 24- to 64-byte key
    (the prefix may be left out); required with BASTION_WEBHOOK_URL."""
    events: str = msgspec.field(default="", name="webhook_events")
    """BASTION_WEBHOOK_EVENTS: comma-separated audit event types to send (`login.failed,user.deleted`); empty: all."""

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @property
    def subscription(self) -> WebhookSubscription | None:
        """What units of work queue; None when webhooks are off (raises ValueError on an unknown type)."""
        return WebhookSubscription(url=self.url, types=parse_event_types(self.events)) if self.url else None
