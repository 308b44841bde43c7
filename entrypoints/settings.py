"""Settings: every BASTION_* variable, typed and validated once at start, grouped by concern.

The groups, their fields and each field's variable are in `entrypoints.settings_groups`; the sizing
defaults of BASTION_HASH_THREADS and BASTION_DATABASE_POOL_SIZE in `entrypoints.process_tuning`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
from dotenv import dotenv_values

from domain.networks import parse_network
from domain.passkeys import RelyingParty
from domain.webhooks import parse_event_types, webhook_key
from entrypoints.oauth_settings import OAuthSettings, gather_clients, oauth_problem
from entrypoints.process_tuning import default_database_pool_size, default_hash_threads
from entrypoints.settings_groups import (
    DEFAULT_DATABASE_URL,
    AccountSettings,
    DatabaseSettings,
    HashingSettings,
    MailSettings,
    PasswordSettings,
    RedisSettings,
    ServerSettings,
    ThrottlingSettings,
    TokenSettings,
    WebhookSettings,
    comma_separated,
)

PREFIX = "BASTION_"
MIN_SECRET_BYTES = 32
DEV_SECRET_FILE = ".bastion-secret"
# The outbox's `recipient` column holds a webhook's URL.
MAX_WEBHOOK_URL_LENGTH = 320
FILE_SUFFIX = "_FILE"


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which variable and why."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """The service configuration, one group per concern: `settings.database.url` is BASTION_DATABASE_URL."""

    server: ServerSettings = msgspec.field(default_factory=ServerSettings)
    database: DatabaseSettings = msgspec.field(default_factory=DatabaseSettings)
    redis: RedisSettings = msgspec.field(default_factory=RedisSettings)
    tokens: TokenSettings = msgspec.field(default_factory=TokenSettings)
    passwords: PasswordSettings = msgspec.field(default_factory=PasswordSettings)
    hashing: HashingSettings = msgspec.field(default_factory=HashingSettings)
    throttling: ThrottlingSettings = msgspec.field(default_factory=ThrottlingSettings)
    accounts: AccountSettings = msgspec.field(default_factory=AccountSettings)
    mail: MailSettings = msgspec.field(default_factory=MailSettings)
    webhook: WebhookSettings = msgspec.field(default_factory=WebhookSettings)
    oauth: OAuthSettings = msgspec.field(default_factory=OAuthSettings)

    @property
    def relying_party(self) -> RelyingParty:
        """The passkeys' relying party: its id, its name, and the origins whose pages may use it."""
        public = urlsplit(self.server.base_url)
        origins = [f"{public.scheme}://{public.netloc}"]
        origins += [origin.rstrip("/") for origin in comma_separated(self.accounts.webauthn_origins or "")]
        return RelyingParty(
            id=self.accounts.webauthn_rp_id or public.hostname or "",
            name=self.accounts.mfa_issuer,
            origins=tuple(dict.fromkeys(origins)),
        )

    @classmethod
    def from_flat(cls, **values: object) -> Settings:
        """Settings from values named as their variables without BASTION_, in lower case; the rest default.

        `Settings.from_flat(database_url=url, hash_threads=2)`. Values are validated as the
        variables are, and may be given as strings too; a provider's client may be given as its
        variables are (`oauth_google_client_id=...`) or whole (`oauth_clients={"google": {...}}`).

        Raises:
            TypeError: a name is not that of a variable.
            SettingsError: a value is malformed or out of bounds.
        """
        named = {name: str(value) for name, value in values.items() if name.startswith("oauth_")}
        clients = gather_clients(named)
        gathered = {f"oauth_{name}_{field}" for name, client in clients.items() for field in client}
        unknown = sorted(set(values) - GROUP_OF.keys() - gathered)
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(unknown)}")
        flat = {name: value for name, value in values.items() if name not in gathered}
        if clients and "oauth_clients" not in flat:
            flat["oauth_clients"] = clients
        return _grouped(flat)


_GROUPS: dict[str, type[msgspec.Struct]] = {field.name: field.type for field in msgspec.structs.fields(Settings)}
# The variable (without BASTION_, lower case) -> the group of `Settings` that holds it.
GROUP_OF: dict[str, str] = {
    field.encode_name: group for group, kind in _GROUPS.items() for field in msgspec.structs.fields(kind)
}


def _validation_error(name: str, value: object) -> msgspec.ValidationError | None:
    try:
        msgspec.convert({name: value}, _GROUPS[GROUP_OF[name]], strict=False)
    except msgspec.ValidationError as error:
        return error
    return None


def _grouped(values: Mapping[str, object]) -> Settings:
    by_group: dict[str, dict[str, object]] = {group: {} for group in _GROUPS}
    for name, value in values.items():
        by_group[GROUP_OF[name]][name] = value
    try:
        groups: dict[str, Any] = {
            group: msgspec.convert(by_group[group], kind, strict=False) for group, kind in _GROUPS.items()
        }
    except msgspec.ValidationError as error:
        # Reported as one pass over the values in their order meets it: the first bad variable.
        first = next(filter(None, (_validation_error(name, value) for name, value in values.items())), error)
        raise SettingsError(f"invalid configuration: {first}") from None
    settings = Settings(**groups)
    password_policy = settings.passwords.policy
    if password_policy.max_length < password_policy.min_length:
        raise SettingsError(
            "invalid configuration: BASTION_PASSWORD_MAX_LENGTH must not be below the minimum length"
            f" of the password policy ({password_policy.min_length})"
        )
    problem = (
        _webhook_problem(settings.webhook)
        or _relying_party_problem(settings.relying_party)
        or _admin_networks_problem(settings.server)
        or oauth_problem(
            settings.oauth, production=settings.server.is_production, hosted_pages=settings.server.hosted_pages
        )
    )
    if problem:
        raise SettingsError(f"invalid configuration: {problem}")
    return settings


def _relying_party_problem(party: RelyingParty) -> str | None:
    """What makes the passkeys' relying party unusable (WebAuthn: the host of every origin is the RP
    id or ends in `.` + it), if anything."""
    if not party.id or party.id != party.id.lower() or "/" in party.id:
        return "BASTION_WEBAUTHN_RP_ID must be a lower-case host name (the host of BASTION_PUBLIC_URL by default)"
    for origin in party.origins:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        if (
            parts.scheme not in {"http", "https"}
            or parts.path
            or not (host == party.id or host.endswith("." + party.id))
        ):
            return (
                f"the origin {origin!r} cannot use passkeys of the relying party {party.id!r}: BASTION_PUBLIC_URL and"
                " BASTION_WEBAUTHN_ORIGINS must be http(s) origins on that host or its subdomains"
            )
    return None


def _admin_networks_problem(server: ServerSettings) -> str | None:
    """The first entry of BASTION_ADMIN_ALLOWED_IPS that is not an address or a CIDR range, if any."""
    for item in comma_separated(server.admin_allowed_ips):
        try:
            parse_network(item)
        except ValueError:
            return f"BASTION_ADMIN_ALLOWED_IPS must list IPv4 or IPv6 addresses or CIDR ranges: {item!r} is neither"
    return None


def _webhook_problem(webhook: WebhookSettings) -> str | None:
    """What is wrong with the webhook settings, if anything; never repeats the secret."""
    if bool(webhook.url) != bool(webhook.secret):
        return "BASTION_WEBHOOK_URL and BASTION_WEBHOOK_SECRET must be set together"
    if not webhook.url:
        return None
    parts = urlsplit(webhook.url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(webhook.url) > MAX_WEBHOOK_URL_LENGTH:
        return f"BASTION_WEBHOOK_URL must be an http(s) URL of at most {MAX_WEBHOOK_URL_LENGTH} characters"
    try:
        webhook_key(webhook.secret)
    except ValueError as error:
        return f"BASTION_WEBHOOK_SECRET: {error}"
    try:
        parse_event_types(webhook.events)
    except ValueError as error:
        return f"BASTION_WEBHOOK_EVENTS: {error}"
    return None


def _read_value_file(name: str, path: str, *, also_set: bool) -> str:
    """The value of BASTION_<NAME> kept in the file named by BASTION_<NAME>_FILE, without trailing line breaks."""
    variable = f"{PREFIX}{name.upper()}"
    if also_set:
        raise SettingsError(f"{variable} and {variable}{FILE_SUFFIX} are both set: set only one of them")
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as error:
        raise SettingsError(f"{variable}{FILE_SUFFIX}: cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{variable}{FILE_SUFFIX}: {path} is not UTF-8 text") from None


def _raw_values(environ: Mapping[str, str], env_file: Path | None) -> dict[str, object]:
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(environ)
    named = {key[len(PREFIX) :].lower(): value for key, value in values.items() if key.startswith(PREFIX) and value}
    # BASTION_<NAME>_FILE: the value of any setting from a file (a container secret, for example).
    for name, path in list(named.items()):
        setting = name.removesuffix(FILE_SUFFIX.lower())
        if setting != name and (setting in GROUP_OF or setting.startswith("oauth_")):
            value = _read_value_file(setting, path, also_set=setting in named)
            if value:
                named[setting] = value
    raw: dict[str, object] = {name: value for name, value in named.items() if name in GROUP_OF}
    clients = gather_clients(named)
    if clients:
        raw["oauth_clients"] = clients
    return raw


def development_secret(path: Path) -> str:
    """The secret kept in `path`, created once (atomically, so concurrent workers agree)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


MIN_SECRET_DISTINCT_BYTES = 16
CATCH_ALL_PREFIX = 0


def _is_local_origin(origin: str) -> bool:
    host = urlsplit(origin).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _is_ip_address(host: str) -> bool:
    try:
        ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _protection_problems(settings: Settings, workers: int) -> list[str]:
    """What production refuses beyond the basics: guessable secrets, open CORS, a proxy list that
    trusts everyone, protections switched off, and workers that could not share revocations."""
    server, throttling = settings.server, settings.throttling
    secret = settings.tokens.secret_bytes
    problems: list[str] = []
    if len(secret) >= MIN_SECRET_BYTES and len(set(secret)) < MIN_SECRET_DISTINCT_BYTES:
        problems.append(
            f"BASTION_SECRET_KEY has too little entropy (fewer than {MIN_SECRET_DISTINCT_BYTES} distinct bytes)"
        )
    if any(origin == "*" or _is_local_origin(origin) for origin in server.cors_origin_list):
        problems.append("BASTION_CORS_ORIGINS must not hold '*' or a localhost origin")
    if any(network.prefixlen == CATCH_ALL_PREFIX for network in server.trusted_proxy_networks):
        problems.append("BASTION_TRUSTED_PROXIES must not hold a catch-all range (0.0.0.0/0, ::/0)")
    if not (throttling.rate_limit_per_minute and throttling.login_rate_limit_per_minute):
        problems.append("BASTION_RATE_LIMIT_PER_MINUTE and BASTION_LOGIN_RATE_LIMIT_PER_MINUTE must not be 0")
    if not throttling.max_failed_logins:
        problems.append("BASTION_MAX_FAILED_LOGINS must not be 0 (the lockout must stay on)")
    if workers > 1 and not settings.redis.url:
        problems.append("several workers need BASTION_REDIS_URL to share limits and revocations")
    if _is_ip_address(settings.relying_party.id):
        problems.append(
            "BASTION_WEBAUTHN_RP_ID (or the host of BASTION_PUBLIC_URL) must be a domain name:"
            " browsers refuse passkeys on an IP address"
        )
    if settings.webhook.url and urlsplit(settings.webhook.url).scheme != "https":
        problems.append("BASTION_WEBHOOK_URL must be https: the audit events must not travel in clear")
    return problems


def check_production(settings: Settings, workers: int = 1) -> None:
    """Raise SettingsError when production would run on unsafe settings (`workers` worker processes)."""
    server, tokens, mail = settings.server, settings.tokens, settings.mail
    problems: list[str] = []
    if len(tokens.secret_bytes) < MIN_SECRET_BYTES:
        problems.append(f"BASTION_SECRET_KEY must be set to at least {MIN_SECRET_BYTES} bytes")
    if server.debug:
        problems.append("BASTION_DEBUG must be off")
    if tokens.algorithm != "HS256" and not tokens.keys_dir:
        problems.append(f"BASTION_JWT_KEYS_DIR must name the signing keys of {tokens.algorithm}")
    if "*" in server.allowed_host_list or not server.allowed_host_list:
        problems.append("BASTION_ALLOWED_HOSTS must list the served host names, not '*'")
    if not server.public_url:
        problems.append("BASTION_PUBLIC_URL must be set to the public address of the service")
    if not mail.host:
        problems.append("BASTION_SMTP_HOST must be set: without it mail, reset links included, goes to the log")
    if mail.username and not (mail.starttls or mail.ssl):
        problems.append("SMTP credentials must not travel in clear: set BASTION_SMTP_STARTTLS or BASTION_SMTP_SSL")
    if mail.starttls and mail.ssl:
        problems.append("BASTION_SMTP_STARTTLS and BASTION_SMTP_SSL exclude each other")
    problems.extend(_protection_problems(settings, workers))
    if problems:
        raise SettingsError("refusing to start in production: " + "; ".join(problems))


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env"), *, workers: int = 1
) -> Settings:
    """Read BASTION_* variables (the environment wins over the `.env` file) and validate them.

    BASTION_<NAME>_FILE names a file whose content (without trailing line breaks) is the value of
    BASTION_<NAME>; setting both is an error.

    In development an unset secret is generated once and kept in `.bastion-secret`. An unset
    BASTION_HASH_THREADS is `default_hash_threads`, and an unset BASTION_DATABASE_POOL_SIZE
    `default_database_pool_size`, for `workers` worker processes.

    Raises:
        SettingsError: a value is malformed, or production settings are unsafe.
    """
    raw = _raw_values(os.environ if environ is None else environ, env_file)
    raw.setdefault("hash_threads", str(default_hash_threads(workers=workers)))
    database_url = str(raw.get("database_url", DEFAULT_DATABASE_URL))
    raw.setdefault("database_pool_size", str(default_database_pool_size(database_url, workers)))
    settings = _grouped(raw)
    try:
        settings.server.trusted_proxy_networks  # noqa: B018 - validated once here, read per request later
    except ValueError:
        raise SettingsError("BASTION_TRUSTED_PROXIES must list IP addresses or CIDR ranges") from None
    if settings.server.is_production:
        check_production(settings, workers)
    elif not settings.tokens.secret_key:
        tokens = msgspec.structs.replace(settings.tokens, secret_key=development_secret(Path(DEV_SECRET_FILE)))
        settings = msgspec.structs.replace(settings, tokens=tokens)
    if len(settings.tokens.secret_bytes) < MIN_SECRET_BYTES:
        raise SettingsError(f"BASTION_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
    return settings
