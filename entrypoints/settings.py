"""Settings: every BASTION_* variable, typed and validated once at start."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from dotenv import dotenv_values

from domain.rules import AccountTokenPolicy, LockoutPolicy, PasswordPolicy, SessionPolicy, ThrottlePolicy
from entrypoints.process_tuning import (
    MAX_HASH_THREADS,
    SQLITE_POOL_SIZE,
    default_database_pool_size,
    default_hash_threads,
)

PREFIX = "BASTION_"
MIN_SECRET_BYTES = 32
DEV_SECRET_FILE = ".bastion-secret"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./bastion.db"


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which variable and why."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """The service configuration. Field `x` is read from the variable `BASTION_X`."""

    environment: Literal["development", "production", "test"] = "development"
    app_name: str = "Bastion"
    debug: bool = False
    database_url: str = DEFAULT_DATABASE_URL
    database_schema: str = ""
    redis_url: str = ""
    redis_prefix: str = "bastion:"
    rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 60
    login_rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 5
    max_failed_logins: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 5
    lockout_minutes: Annotated[int, msgspec.Meta(ge=1, le=7 * 24 * 60)] = 30
    trusted_proxies: str = ""
    smtp_host: str = ""
    smtp_port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "Bastion <no-reply@localhost>"
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10.0
    password_reset_expire_minutes: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)] = 30
    email_verify_expire_hours: Annotated[int, msgspec.Meta(ge=1, le=30 * 24)] = 24
    outbox_poll_seconds: Annotated[float, msgspec.Meta(gt=0, le=600)] = 1.0
    secret_key: str = ""
    jwt_algorithm: Literal["HS256", "EdDSA", "ES256", "RS256"] = "HS256"
    jwt_keys_dir: str = ""
    jwks_max_age_seconds: Annotated[int, msgspec.Meta(ge=0, le=86400)] = 300
    jwt_issuer: str = "bastion"
    jwt_audience: str = "bastion"
    jwt_leeway_seconds: Annotated[int, msgspec.Meta(ge=0, le=300)] = 5
    access_token_expire_minutes: Annotated[int, msgspec.Meta(ge=1, le=1440)] = 15
    refresh_token_expire_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 7
    refresh_reuse_grace_seconds: Annotated[int, msgspec.Meta(ge=0, le=300)] = 10
    password_min_length: Annotated[int, msgspec.Meta(ge=8, le=128)] = 8
    password_max_length: Annotated[int, msgspec.Meta(ge=8, le=1024)] = 128
    password_require_uppercase: bool = True
    password_require_lowercase: bool = True
    password_require_numbers: bool = True
    password_require_special: bool = True
    require_verified_email: bool = False
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=100 * 1024 * 1024)] = 65536
    cors_origins: str = "http://localhost:3000,http://localhost:5173"
    allowed_hosts: str = "*"
    hsts: bool | None = None
    public_url: str = "http://127.0.0.1:8000"
    docs_enabled: bool = True
    hash_threads: Annotated[int, msgspec.Meta(ge=1, le=MAX_HASH_THREADS)] = msgspec.field(
        default_factory=default_hash_threads
    )
    hash_max_pending: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 64
    argon2_memory_kib: Annotated[int, msgspec.Meta(ge=19456)] = 19456
    argon2_time_cost: Annotated[int, msgspec.Meta(ge=2)] = 2
    argon2_parallelism: Annotated[int, msgspec.Meta(ge=1)] = 1
    # Without BASTION_DATABASE_POOL_SIZE, `load_settings` picks `default_database_pool_size`.
    database_pool_size: Annotated[int, msgspec.Meta(ge=1, le=200)] = SQLITE_POOL_SIZE

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def hsts_enabled(self) -> bool:
        return self.is_production if self.hsts is None else self.hsts

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def allowed_host_list(self) -> list[str]:
        return [host.strip() for host in self.allowed_hosts.split(",") if host.strip()]

    @property
    def secret_bytes(self) -> bytes:
        return self.secret_key.encode()

    @property
    def successor_key(self) -> bytes:
        """A key for refresh-token successors, derived from the secret so it needs no setting of its own."""
        return hmac.new(self.secret_bytes, b"bastion/refresh-token-successor/v1", hashlib.sha256).digest()

    @property
    def password_policy(self) -> PasswordPolicy:
        return PasswordPolicy(
            min_length=self.password_min_length,
            max_length=self.password_max_length,
            require_uppercase=self.password_require_uppercase,
            require_lowercase=self.password_require_lowercase,
            require_digit=self.password_require_numbers,
            require_special=self.password_require_special,
        )

    @property
    def lockout_policy(self) -> LockoutPolicy:
        return LockoutPolicy(max_failures=self.max_failed_logins, duration=timedelta(minutes=self.lockout_minutes))

    @property
    def throttle_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            requests_per_minute=self.rate_limit_per_minute, sensitive_per_minute=self.login_rate_limit_per_minute
        )

    @property
    def trusted_proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(item.strip(), strict=False) for item in self.trusted_proxies.split(",") if item.strip()]

    @property
    def account_token_policy(self) -> AccountTokenPolicy:
        return AccountTokenPolicy(
            password_reset_ttl=timedelta(minutes=self.password_reset_expire_minutes),
            email_verification_ttl=timedelta(hours=self.email_verify_expire_hours),
        )

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            access_ttl=timedelta(minutes=self.access_token_expire_minutes),
            refresh_ttl=timedelta(days=self.refresh_token_expire_days),
            reuse_grace=timedelta(seconds=self.refresh_reuse_grace_seconds),
        )


def _raw_values(environ: Mapping[str, str], env_file: Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(environ)
    fields = set(Settings.__struct_fields__)
    return {
        key[len(PREFIX) :].lower(): value
        for key, value in values.items()
        if key.startswith(PREFIX) and key[len(PREFIX) :].lower() in fields and value != ""
    }


def development_secret(path: Path) -> str:
    """The secret kept in `path`, created once (atomically, so concurrent workers agree)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def check_production(settings: Settings) -> None:
    """Raise SettingsError when production would run on unsafe settings."""
    problems: list[str] = []
    if len(settings.secret_bytes) < MIN_SECRET_BYTES:
        problems.append(f"BASTION_SECRET_KEY must be set to at least {MIN_SECRET_BYTES} bytes")
    if settings.debug:
        problems.append("BASTION_DEBUG must be off")
    if settings.jwt_algorithm != "HS256" and not settings.jwt_keys_dir:
        problems.append(f"BASTION_JWT_KEYS_DIR must name the signing keys of {settings.jwt_algorithm}")
    if "*" in settings.allowed_host_list or not settings.allowed_host_list:
        problems.append("BASTION_ALLOWED_HOSTS must list the served host names, not '*'")
    if not settings.public_url or settings.public_url == Settings().public_url:
        problems.append("BASTION_PUBLIC_URL must be set to the public address of the service")
    if not settings.smtp_host:
        problems.append("BASTION_SMTP_HOST must be set: without it mail, reset links included, goes to the log")
    if settings.smtp_username and not (settings.smtp_starttls or settings.smtp_ssl):
        problems.append("SMTP credentials must not travel in clear: set BASTION_SMTP_STARTTLS or BASTION_SMTP_SSL")
    if settings.smtp_starttls and settings.smtp_ssl:
        problems.append("BASTION_SMTP_STARTTLS and BASTION_SMTP_SSL exclude each other")
    if problems:
        raise SettingsError("refusing to start in production: " + "; ".join(problems))


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env"), *, workers: int = 1
) -> Settings:
    """Read BASTION_* variables (the environment wins over the `.env` file) and validate them.

    In development an unset secret is generated once and kept in `.bastion-secret`. An unset
    BASTION_HASH_THREADS is `default_hash_threads`, and an unset BASTION_DATABASE_POOL_SIZE
    `default_database_pool_size`, for `workers` worker processes.

    Raises:
        SettingsError: a value is malformed, or production settings are unsafe.
    """
    raw = _raw_values(os.environ if environ is None else environ, env_file)
    raw.setdefault("hash_threads", str(default_hash_threads(workers=workers)))
    database_url = raw.get("database_url", DEFAULT_DATABASE_URL)
    raw.setdefault("database_pool_size", str(default_database_pool_size(database_url, workers)))
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"invalid configuration: {exc}") from None
    try:
        settings.trusted_proxy_networks  # noqa: B018 - validated once here, read per request later
    except ValueError:
        raise SettingsError("BASTION_TRUSTED_PROXIES must list IP addresses or CIDR ranges") from None
    if settings.is_production:
        check_production(settings)
    elif not settings.secret_key:
        settings = msgspec.structs.replace(settings, secret_key=development_secret(Path(DEV_SECRET_FILE)))
    if len(settings.secret_bytes) < MIN_SECRET_BYTES:
        raise SettingsError(f"BASTION_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
    return settings
