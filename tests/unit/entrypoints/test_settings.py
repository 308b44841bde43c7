"""Settings: every BASTION_* variable lands in its group, validated and reported as before the grouping."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from ipaddress import ip_network
from operator import attrgetter
from pathlib import Path

import msgspec
import pytest

from domain.one_time_tokens import AccountTokenPolicy
from domain.passwords import PasswordPolicy
from domain.sessions import SessionPolicy
from domain.throttling import LockoutPolicy, ThrottlePolicy
from entrypoints import oauth_settings, settings_groups
from entrypoints.process_tuning import default_hash_threads
from entrypoints.settings import GROUP_OF, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[3]
SECRET = {"BASTION_SECRET_KEY": "s" * 48}
# The default of the hashing threads depends on the cores: this is another value.
OTHER_THREADS = 2 if default_hash_threads() == 1 else 1

# Every variable: a value other than its default, where it lands, and what it loads as.
# The Standard Webhooks specification's example secret.
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VARIABLES: dict[str, tuple[str, str, object]] = {
    "BASTION_ENVIRONMENT": ("test", "server.environment", "test"),
    "BASTION_APP_NAME": ("Keep", "server.app_name", "Keep"),
    "BASTION_DEBUG": ("true", "server.debug", True),
    "BASTION_PUBLIC_URL": ("https://auth.example", "server.public_url", "https://auth.example"),
    "BASTION_DOCS_ENABLED": ("false", "server.docs_enabled", False),
    "BASTION_MAX_BODY_BYTES": ("2048", "server.max_body_bytes", 2048),
    "BASTION_CORS_ORIGINS": ("https://a.example", "server.cors_origins", "https://a.example"),
    "BASTION_ALLOWED_HOSTS": ("auth.example", "server.allowed_hosts", "auth.example"),
    "BASTION_HSTS": ("false", "server.hsts", False),
    "BASTION_TRUSTED_PROXIES": ("10.0.0.0/8", "server.trusted_proxies", "10.0.0.0/8"),
    "BASTION_ADMIN_ALLOWED_IPS": ("10.0.0.0/8", "server.admin_allowed_ips", "10.0.0.0/8"),
    "BASTION_LOG_FORMAT": ("json", "server.log_format", "json"),
    "BASTION_LOG_REQUESTS": ("true", "server.log_requests", True),
    "BASTION_METRICS_ENABLED": ("false", "server.metrics_enabled", False),
    "BASTION_DATABASE_URL": ("postgresql+asyncpg://u@h/db", "database.url", "postgresql+asyncpg://u@h/db"),
    "BASTION_DATABASE_SCHEMA": ("tenant", "database.schema", "tenant"),
    "BASTION_DATABASE_POOL_SIZE": ("7", "database.pool_size", 7),
    "BASTION_REDIS_URL": ("redis://127.0.0.1:6379/1", "redis.url", "redis://127.0.0.1:6379/1"),
    "BASTION_REDIS_PREFIX": ("other:", "redis.prefix", "other:"),
    "BASTION_SECRET_KEY": ("k" * 40, "tokens.secret_key", "k" * 40),
    "BASTION_JWT_ALGORITHM": ("ES256", "tokens.algorithm", "ES256"),
    "BASTION_JWT_KEYS_DIR": ("/keys", "tokens.keys_dir", "/keys"),
    "BASTION_JWKS_MAX_AGE_SECONDS": ("60", "tokens.jwks_max_age_seconds", 60),
    "BASTION_JWT_ISSUER": ("issuer.example", "tokens.issuer", "issuer.example"),
    "BASTION_JWT_AUDIENCE": ("api.example", "tokens.audience", "api.example"),
    "BASTION_JWT_LEEWAY_SECONDS": ("0", "tokens.leeway_seconds", 0),
    "BASTION_ACCESS_TOKEN_EXPIRE_MINUTES": ("5", "tokens.access_expire_minutes", 5),
    "BASTION_REFRESH_TOKEN_EXPIRE_DAYS": ("30", "tokens.refresh_expire_days", 30),
    "BASTION_REFRESH_REUSE_GRACE_SECONDS": ("0", "tokens.refresh_reuse_grace_seconds", 0),
    "BASTION_SESSION_MAX_DAYS": ("45", "tokens.session_max_days", 45),
    "BASTION_PASSWORD_MIN_LENGTH": ("12", "passwords.min_length", 12),
    "BASTION_PASSWORD_MAX_LENGTH": ("64", "passwords.max_length", 64),
    "BASTION_PASSWORD_REQUIRE_UPPERCASE": ("false", "passwords.require_uppercase", False),
    "BASTION_PASSWORD_REQUIRE_LOWERCASE": ("false", "passwords.require_lowercase", False),
    "BASTION_PASSWORD_REQUIRE_NUMBERS": ("false", "passwords.require_numbers", False),
    "BASTION_PASSWORD_REQUIRE_SPECIAL": ("false", "passwords.require_special", False),
    "BASTION_PASSWORD_POLICY": ("nist", "passwords.standard", "nist"),
    "BASTION_PASSWORD_BREACH_CHECK": ("range", "passwords.breach_check", "range"),
    "BASTION_PASSWORD_BREACH_URL": ("http://127.0.0.1:9/range/", "passwords.breach_url", "http://127.0.0.1:9/range/"),
    "BASTION_HASH_THREADS": (str(OTHER_THREADS), "hashing.threads", OTHER_THREADS),
    "BASTION_HASH_MAX_PENDING": ("8", "hashing.max_pending", 8),
    "BASTION_ARGON2_MEMORY_KIB": ("65536", "hashing.memory_kib", 65536),
    "BASTION_ARGON2_TIME_COST": ("3", "hashing.time_cost", 3),
    "BASTION_ARGON2_PARALLELISM": ("2", "hashing.parallelism", 2),
    "BASTION_RATE_LIMIT_PER_MINUTE": ("0", "throttling.rate_limit_per_minute", 0),
    "BASTION_LOGIN_RATE_LIMIT_PER_MINUTE": ("9", "throttling.login_rate_limit_per_minute", 9),
    "BASTION_MAX_FAILED_LOGINS": ("3", "throttling.max_failed_logins", 3),
    "BASTION_LOCKOUT_MINUTES": ("15", "throttling.lockout_minutes", 15),
    "BASTION_REQUIRE_VERIFIED_EMAIL": ("true", "accounts.require_verified_email", True),
    "BASTION_NEW_DEVICE_NOTICE": ("false", "accounts.new_device_notice", False),
    "BASTION_AUDIT_RETENTION_DAYS": ("30", "accounts.audit_retention_days", 30),
    "BASTION_REGISTRATION_PRIVACY": ("true", "accounts.registration_privacy", True),
    "BASTION_PASSWORD_RESET_EXPIRE_MINUTES": ("10", "accounts.password_reset_expire_minutes", 10),
    "BASTION_EMAIL_VERIFY_EXPIRE_HOURS": ("48", "accounts.email_verify_expire_hours", 48),
    "BASTION_MFA_ISSUER": ("Example Corp", "accounts.mfa_issuer", "Example Corp"),
    "BASTION_WEBAUTHN_RP_ID": ("localhost", "accounts.webauthn_rp_id", "localhost"),
    "BASTION_WEBAUTHN_ORIGINS": ("http://app.localhost:3000", "accounts.webauthn_origins", "http://app.localhost:3000"),
    "BASTION_MFA_REQUIRED_FOR_ADMINS": ("true", "accounts.mfa_required_for_admins", True),
    "BASTION_SMTP_HOST": ("mx.example", "mail.host", "mx.example"),
    "BASTION_SMTP_PORT": ("465", "mail.port", 465),
    "BASTION_SMTP_USERNAME": ("mailer", "mail.username", "mailer"),
    "BASTION_SMTP_PASSWORD": ("hunter2", "mail.password", "hunter2"),
    "BASTION_SMTP_FROM": ("Keep <keep@example.org>", "mail.sender", "Keep <keep@example.org>"),
    "BASTION_SMTP_STARTTLS": ("false", "mail.starttls", False),
    "BASTION_SMTP_SSL": ("true", "mail.ssl", True),
    "BASTION_SMTP_TIMEOUT_SECONDS": ("2.5", "mail.timeout_seconds", 2.5),
    "BASTION_OUTBOX_POLL_SECONDS": ("0.5", "mail.outbox_poll_seconds", 0.5),
    "BASTION_WEBHOOK_URL": ("https://hooks.example/in", "webhook.url", "https://hooks.example/in"),
    "BASTION_WEBHOOK_SECRET": (WEBHOOK_SECRET, "webhook.secret", WEBHOOK_SECRET),
    "BASTION_WEBHOOK_EVENTS": ("login.failed, user.deleted", "webhook.events", "login.failed, user.deleted"),
    "BASTION_HOSTED_PAGES": ("false", "server.hosted_pages", False),
    "BASTION_OAUTH_PROVIDERS": ("google", "oauth.providers", "google"),
    "BASTION_OAUTH_REDIRECT_ALLOWLIST": (
        "https://app.example/cb",
        "oauth.redirect_allowlist",
        "https://app.example/cb",
    ),
    "BASTION_OAUTH_TIMEOUT_SECONDS": ("2.5", "oauth.timeout_seconds", 2.5),
}
# Not variables of their own: gathered from BASTION_OAUTH_<NAME>_CLIENT_ID, _CLIENT_SECRET and _ISSUER.
COMPOSED = {"oauth_clients"}
# The variables that take effect only with others, and those others.
WEBHOOK = {"BASTION_WEBHOOK_URL": "https://receiver.example/", "BASTION_WEBHOOK_SECRET": "whsec_" + "A" * 32}
COMPANIONS = {name: WEBHOOK for name in VARIABLES if name.startswith("BASTION_WEBHOOK_")}
GOOGLE = {
    "BASTION_OAUTH_GOOGLE_CLIENT_ID": "bastion.apps.example",
    "BASTION_OAUTH_GOOGLE_CLIENT_SECRET": "s3cret",
    "BASTION_OAUTH_REDIRECT_ALLOWLIST": "https://app.example/signed-in",
}
COMPANIONS["BASTION_OAUTH_PROVIDERS"] = GOOGLE


def documented_variables() -> set[str]:
    """The variables of the tables of docs/configuration.md: the first cell of each row names one."""
    text = (ROOT / "docs" / "configuration.md").read_text()
    rows = (line for line in text.splitlines() if line.startswith("| `BASTION_"))
    return {match.group(1) for row in rows if (match := re.match(r"\| `(BASTION_[A-Z0-9_]+)` \|", row))}


def test_every_variable_is_covered_here_and_every_documented_one_exists() -> None:
    assert set(VARIABLES) == {f"BASTION_{name.upper()}" for name in GROUP_OF if name not in COMPOSED}
    assert documented_variables() <= set(VARIABLES)
    assert len(documented_variables()) >= 50


@pytest.mark.parametrize("variable", sorted(VARIABLES))
def test_each_variable_loads_into_its_field(variable: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    raw, path, expected = VARIABLES[variable]
    values = {**COMPANIONS.get(variable, {}), variable: raw}
    settings = load_settings({**SECRET, **values}, env_file=None)
    assert attrgetter(path)(settings) == expected
    assert attrgetter(path)(Settings()) != expected  # a variable routed elsewhere would leave the default here
    flat = {name.removeprefix("BASTION_").lower(): value for name, value in values.items()}
    assert attrgetter(path)(Settings.from_flat(**flat)) == expected


def test_derived_values_are_built_from_their_group() -> None:
    settings = load_settings(
        {
            **SECRET,
            "BASTION_CORS_ORIGINS": "https://a.example, ,https://b.example",
            "BASTION_ALLOWED_HOSTS": "a.example,b.example",
            "BASTION_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
            "BASTION_PASSWORD_MIN_LENGTH": "10",
            "BASTION_REQUIRE_VERIFIED_EMAIL": "1",
        },
        env_file=None,
    )
    assert settings.server.cors_origin_list == ["https://a.example", "https://b.example"]
    assert settings.server.allowed_host_list == ["a.example", "b.example"]
    assert settings.server.trusted_proxy_networks == [ip_network("10.0.0.0/8"), ip_network("::1")]
    assert not settings.server.is_production
    assert not settings.server.hsts_enabled
    assert settings.passwords.policy == PasswordPolicy(min_length=10, max_length=128)
    assert settings.tokens.session_policy == SessionPolicy(
        access_ttl=timedelta(minutes=15), refresh_ttl=timedelta(days=7), reuse_grace=timedelta(seconds=10)
    )
    assert settings.throttling.throttle_policy == ThrottlePolicy(requests_per_minute=60, sensitive_per_minute=5)
    assert settings.throttling.lockout_policy == LockoutPolicy(max_failures=5, duration=timedelta(minutes=30))
    assert settings.accounts.token_policy == AccountTokenPolicy(
        password_reset_ttl=timedelta(minutes=30), email_verification_ttl=timedelta(hours=24)
    )
    assert settings.accounts.require_verified_email
    assert len(settings.tokens.successor_key) == 32
    assert settings.tokens.successor_key != Settings.from_flat(secret_key="t" * 48).tokens.successor_key


def test_every_field_documents_its_variable_right_under_it() -> None:
    modules = [ast.parse(Path(module.__file__).read_text()) for module in (settings_groups, oauth_settings)]
    groups = {field.type.__name__ for field in msgspec.structs.fields(Settings)}
    documented: dict[str, str] = {}
    classes = (node for module in modules for node in module.body if isinstance(node, ast.ClassDef))
    for node in (node for node in classes if node.name in groups):
        for field, after in zip(node.body, [*node.body[1:], None], strict=True):
            if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name):
                assert isinstance(after, ast.Expr), field.target.id
                assert isinstance(after.value, ast.Constant), field.target.id
                documented[f"{node.name}.{field.target.id}"] = str(after.value.value)
    for group in msgspec.structs.fields(Settings):
        for field in msgspec.structs.fields(group.type):
            docstring = documented[f"{group.type.__name__}.{field.name}"]
            if field.encode_name in COMPOSED:
                assert docstring.startswith("BASTION_OAUTH_<NAME>_"), docstring
                continue
            assert docstring.startswith(f"BASTION_{field.encode_name.upper()}: "), docstring


def test_from_flat_takes_the_variable_names_and_leaves_the_rest_at_their_defaults() -> None:
    settings = Settings.from_flat(database_url="sqlite+aiosqlite:///x.db", hash_threads=2, smtp_from="a@b.c")
    assert (settings.database.url, settings.hashing.threads, settings.mail.sender) == (
        "sqlite+aiosqlite:///x.db",
        2,
        "a@b.c",
    )
    assert (
        msgspec.structs.replace(
            settings, database=Settings().database, hashing=Settings().hashing, mail=Settings().mail
        )
        == Settings()
    )
    with pytest.raises(TypeError, match="smtp_sender"):
        Settings.from_flat(smtp_sender="a@b.c")


def test_from_flat_validates_as_loading_does() -> None:
    with pytest.raises(
        SettingsError, match=re.escape("invalid configuration: Expected `int` >= 1 - at `$.lockout_minutes`")
    ):
        Settings.from_flat(lockout_minutes=0)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"BASTION_LOCKOUT_MINUTES": "0", "BASTION_SMTP_PORT": "0"}, "Expected `int` >= 1 - at `$.lockout_minutes`"),
        ({"BASTION_SMTP_PORT": "0", "BASTION_LOCKOUT_MINUTES": "0"}, "Expected `int` >= 1 - at `$.smtp_port`"),
        ({"BASTION_ENVIRONMENT": "staging"}, "Invalid enum value 'staging' - at `$.environment`"),
        ({"BASTION_DEBUG": "maybe"}, "Expected `bool`, got `str` - at `$.debug`"),
        ({"BASTION_SMTP_TIMEOUT_SECONDS": "0"}, "Expected `float` > 0.0 - at `$.smtp_timeout_seconds`"),
        ({"BASTION_PASSWORD_POLICY": "strict"}, "Invalid enum value 'strict' - at `$.password_policy`"),
        ({"BASTION_PASSWORD_BREACH_CHECK": "on"}, "Invalid enum value 'on' - at `$.password_breach_check`"),
        (
            {"BASTION_PASSWORD_BREACH_URL": "api.pwnedpasswords.com/range/"},
            r"Expected `str` matching regex '^https?://[^\\s]+$' - at `$.password_breach_url`",
        ),
    ],
)
def test_the_first_malformed_variable_is_reported_by_its_variable_name(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**SECRET, **environ}, env_file=None)
    assert str(raised.value) == f"invalid configuration: {message}"


def test_admin_allowed_ips_are_ranges_of_either_family_and_a_bare_address_is_a_range_of_one() -> None:
    settings = load_settings(
        {**SECRET, "BASTION_ADMIN_ALLOWED_IPS": " 10.1.0.0/16, ,2001:db8::/48,192.0.2.7, ::1"}, env_file=None
    )
    assert settings.server.admin_allowed_networks == (
        ip_network("10.1.0.0/16"),
        ip_network("2001:db8::/48"),
        ip_network("192.0.2.7/32"),
        ip_network("::1/128"),
    )
    assert load_settings(SECRET, env_file=None).server.admin_allowed_networks == ()


@pytest.mark.parametrize("value", ["10.0.0.0/33", "10.0.0.0/8,intranet", "2001:db8::/129", "10.0.0.300", "*"])
def test_a_malformed_admin_allowed_ip_refuses_to_start_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**SECRET, "BASTION_ADMIN_ALLOWED_IPS": value}, env_file=None)
    message = str(raised.value)
    assert message.startswith("invalid configuration: BASTION_ADMIN_ALLOWED_IPS must list IPv4 or IPv6 addresses")
    assert "\n" not in message
    with pytest.raises(SettingsError, match="BASTION_ADMIN_ALLOWED_IPS"):
        Settings.from_flat(admin_allowed_ips=value)


def test_production_lists_every_unsafe_setting_in_one_message() -> None:
    environ = {
        "BASTION_ENVIRONMENT": "production",
        "BASTION_DEBUG": "1",
        "BASTION_JWT_ALGORITHM": "EdDSA",
        "BASTION_SMTP_USERNAME": "u",
        "BASTION_SMTP_STARTTLS": "0",
    }
    with pytest.raises(SettingsError) as raised:
        load_settings(environ, env_file=None)
    assert str(raised.value) == (
        "refusing to start in production: BASTION_SECRET_KEY must be set to at least 32 bytes; "
        "BASTION_DEBUG must be off; BASTION_JWT_KEYS_DIR must name the signing keys of EdDSA; "
        "BASTION_ALLOWED_HOSTS must list the served host names, not '*'; "
        "BASTION_PUBLIC_URL must be set to the public address of the service; "
        "BASTION_SMTP_HOST must be set: without it mail, reset links included, goes to the log; "
        "SMTP credentials must not travel in clear: set BASTION_SMTP_STARTTLS or BASTION_SMTP_SSL"
    )


def test_the_environment_wins_over_the_env_file_and_empty_values_are_unset(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("BASTION_APP_NAME=FromFile\nBASTION_SMTP_PORT=25\nBASTION_MAIL_HOST=ignored\n")
    settings = load_settings({**SECRET, "BASTION_SMTP_PORT": "26", "BASTION_SMTP_HOST": ""}, env_file=env_file)
    assert (settings.server.app_name, settings.mail.port, settings.mail.host) == ("FromFile", 26, "")


def test_the_classic_password_policy_is_the_default_and_keeps_the_settings_rules() -> None:
    settings = load_settings({**SECRET, "BASTION_PASSWORD_REQUIRE_SPECIAL": "false"}, env_file=None)
    assert settings.passwords.standard == "classic"
    assert settings.passwords.policy == PasswordPolicy(min_length=8, max_length=128, require_special=False)
    assert (settings.passwords.breach_check, settings.passwords.breach_url) == (
        "off",
        "https://api.pwnedpasswords.com/range/",
    )


@pytest.mark.parametrize(("min_length", "expected"), [("8", 15), ("20", 20)])
def test_the_nist_password_policy_drops_composition_and_asks_for_15_characters_or_the_larger_minimum(
    min_length: str, expected: int
) -> None:
    environ = {"BASTION_PASSWORD_POLICY": "nist", "BASTION_PASSWORD_MIN_LENGTH": min_length}
    settings = load_settings({**SECRET, **environ, "BASTION_PASSWORD_MAX_LENGTH": "64"}, env_file=None)
    assert settings.passwords.policy == PasswordPolicy(
        min_length=expected,
        max_length=64,
        require_uppercase=False,
        require_lowercase=False,
        require_digit=False,
        require_special=False,
    )


def test_a_maximum_password_length_below_the_policys_minimum_is_refused() -> None:
    with pytest.raises(SettingsError, match="BASTION_PASSWORD_MAX_LENGTH must not be below the minimum length"):
        load_settings({**SECRET, "BASTION_PASSWORD_POLICY": "nist", "BASTION_PASSWORD_MAX_LENGTH": "12"}, env_file=None)


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"BASTION_WEBHOOK_URL": "https://r.example/"}, "BASTION_WEBHOOK_URL and BASTION_WEBHOOK_SECRET must be set"),
        ({"BASTION_WEBHOOK_SECRET": WEBHOOK_SECRET}, "BASTION_WEBHOOK_URL and BASTION_WEBHOOK_SECRET must be set"),
        ({**WEBHOOK, "BASTION_WEBHOOK_URL": "ftp://r.example/"}, "BASTION_WEBHOOK_URL must be an http(s) URL"),
        ({**WEBHOOK, "BASTION_WEBHOOK_URL": "https:///in"}, "BASTION_WEBHOOK_URL must be an http(s) URL"),
        ({**WEBHOOK, "BASTION_WEBHOOK_URL": "https://r.example/" + "a" * 310}, "at most 320 characters"),
        ({**WEBHOOK, "BASTION_WEBHOOK_SECRET": "whsec_sesame open"}, "BASTION_WEBHOOK_SECRET: the webhook secret"),
        ({**WEBHOOK, "BASTION_WEBHOOK_EVENTS": "login.fail"}, "BASTION_WEBHOOK_EVENTS: unknown audit event types"),
    ],
)
def test_unusable_webhook_settings_stop_the_start(values: dict[str, str], complaint: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(complaint)) as refused:
        load_settings({**SECRET, **values}, env_file=None)
    assert "sesame" not in str(refused.value)


def test_a_variable_ending_in_file_reads_the_value_of_its_setting_from_that_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("f" * 20 + "g" * 20 + "\n")
    url_file = tmp_path / "database_url"
    url_file.write_text("postgresql+asyncpg://bastion:pw@db/bastion\r\n")
    env_file = tmp_path / ".env"
    env_file.write_text(f"BASTION_DATABASE_URL_FILE={url_file}\n")
    settings = load_settings({"BASTION_SECRET_KEY_FILE": str(secret_file)}, env_file=env_file)
    assert settings.tokens.secret_key == "f" * 20 + "g" * 20
    assert settings.database.url == "postgresql+asyncpg://bastion:pw@db/bastion"


def test_a_setting_given_both_directly_and_from_a_file_is_refused(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("f" * 40)
    with pytest.raises(
        SettingsError, match="BASTION_SECRET_KEY and BASTION_SECRET_KEY_FILE are both set: set only one of them"
    ):
        load_settings({**SECRET, "BASTION_SECRET_KEY_FILE": str(secret_file)}, env_file=None)


def test_an_unreadable_value_file_is_refused_with_its_variable_and_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(
        SettingsError, match=re.escape(f"BASTION_SMTP_PASSWORD_FILE: cannot read {missing}: No such file or directory")
    ):
        load_settings({**SECRET, "BASTION_SMTP_PASSWORD_FILE": str(missing)}, env_file=None)
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(SettingsError, match=re.escape(f"BASTION_SMTP_PASSWORD_FILE: {binary} is not UTF-8 text")):
        load_settings({**SECRET, "BASTION_SMTP_PASSWORD_FILE": str(binary)}, env_file=None)


def test_an_empty_value_file_leaves_its_setting_unset_and_unknown_file_variables_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "empty"
    empty.write_text("\n")
    environ = {**SECRET, "BASTION_SMTP_HOST_FILE": str(empty), "BASTION_NOT_A_SETTING_FILE": "/nonexistent"}
    assert load_settings(environ, env_file=None).mail.host == ""


def test_the_relying_party_of_passkeys_is_the_public_host_unless_set_with_the_origins_added() -> None:
    default = load_settings(SECRET, env_file=None).relying_party
    configured = load_settings(
        {
            **SECRET,
            "BASTION_PUBLIC_URL": "https://auth.example.org/",
            "BASTION_WEBAUTHN_RP_ID": "example.org",
            "BASTION_WEBAUTHN_ORIGINS": "https://app.example.org, https://auth.example.org",
        },
        env_file=None,
    ).relying_party

    assert (default.id, default.name, default.origins) == ("localhost", "Bastion", ("http://localhost:8000",))
    assert (configured.id, configured.origins) == (
        "example.org",
        ("https://auth.example.org", "https://app.example.org"),
    )


@pytest.mark.parametrize(
    "environ",
    [
        {"BASTION_WEBAUTHN_ORIGINS": "https://evil.example"},
        {"BASTION_WEBAUTHN_ORIGINS": "https://notlocalhost"},
        {"BASTION_WEBAUTHN_ORIGINS": "ftp://app.localhost"},
        {"BASTION_WEBAUTHN_ORIGINS": "https://app.localhost/path"},
        {"BASTION_WEBAUTHN_RP_ID": "example.org"},
        {"BASTION_WEBAUTHN_RP_ID": "Example.org", "BASTION_PUBLIC_URL": "https://example.org"},
    ],
)
def test_origins_off_the_relying_party_refuse_to_start(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**SECRET, **environ}, env_file=None)
    assert "BASTION_WEBAUTHN" in str(raised.value) or "BASTION_PUBLIC_URL" in str(raised.value)


def test_production_refuses_passkeys_on_an_ip_address() -> None:
    environ = {**SECRET, "BASTION_ENVIRONMENT": "production", "BASTION_PUBLIC_URL": "https://192.0.2.10"}
    with pytest.raises(SettingsError) as raised:
        load_settings(environ, env_file=None)
    assert "browsers refuse passkeys on an IP address" in str(raised.value)
