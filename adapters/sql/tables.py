"""The schema as SQLAlchemy Core tables; `migrations/versions/` creates exactly these.

`users.roles` holds the role values sorted and joined by commas (`"admin,user"`): roles are a
small closed set of comma-free words, and a plain string compares and migrates the same way on
SQLite and PostgreSQL, unlike JSON columns.

`outbox` keeps every message: pending ones (`sent_at` and `failed_at` NULL) are what delivery
workers claim, through a partial index that holds only those, so the index stays as small as the
backlog however many delivered rows the table keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that binds and returns aware UTC datetimes only.

    SQLite keeps datetimes as text without an offset and hands them back naive, and compares them
    as text; converting every bound value to UTC (query parameters included, not only stored rows)
    keeps `expires_at > :now` correct there, and reads come back aware on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("email_normalized", String(254), nullable=False, unique=True),
    Column("username", String(50), nullable=False),
    Column("username_normalized", String(50), nullable=False, unique=True),
    Column("full_name", String(100), nullable=True),
    # NULL for an account that a social login created, until a password is set.
    Column("hashed_password", Text, nullable=True),
    Column("roles", String(200), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("email_verified", Boolean, nullable=False),
    Column("last_login", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("failed_login_attempts", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("mfa_enabled", Boolean, nullable=False, server_default=text("false")),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ip", String(45), nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    # The RFC 8176 method values of the login, joined by spaces ("pwd otp mfa").
    Column("amr", String(64), nullable=False, server_default="pwd"),
    Index(None, "user_id"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", String(36), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index(None, "session_id"),
)

# Failed-login counts of the lockout, by identifier key (keys longer than the column are stored as
# their digest, see `SqlLoginAttemptCounter`). A row is dead once `expires_at` has passed.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("key", String(320), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# Single-use tokens mailed to users (password reset, email verification), keyed by hash.
one_time_tokens = Table(
    "one_time_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index(None, "user_id", "purpose"),
)

# Both databases support partial indexes with the same syntax.
_PENDING = text("sent_at IS NULL AND failed_at IS NULL")

# The transactional outbox: mail and webhooks written with the change that causes them, delivered
# by workers. `recipient` has room for a 64-character local part, "@" and a 255-character domain;
# a webhook keeps its URL there (no longer than that), its event type in `subject` and its JSON in `body_text`.
outbox = Table(
    "outbox",
    metadata,
    Column("id", String(36), primary_key=True),
    # `mail` or `webhook` (see `domain.mail.OutboxKind`): each kind has workers of its own.
    Column("kind", String(16), nullable=False, server_default="mail"),
    Column("recipient", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=True),
    # A mailed link's token, sealed with a key the database does not hold; the body has a placeholder.
    Column("sealed_token", Text, nullable=True),
    # Set on a request for mail composed at delivery (see `MailMessage.composer`).
    Column("composer", String(32), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("leased_until", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("failed_at", UtcDateTime, nullable=True),
    Index(None, "kind", "next_attempt_at", postgresql_where=_PENDING, sqlite_where=_PENDING),
)

# The audit trail; `data` is a small JSON object. user_id is not a foreign key: events outlive
# the accounts they speak of (user.deleted included).
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("user_id", String(36), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("user_agent", String(512), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("data", Text, nullable=False),
    Index(None, "created_at"),
    Index(None, "user_id", "created_at"),
    Index(None, "type", "created_at"),
)

# The protected resource: tasks, each owned by one user or one service account and deleted with it.
# No foreign key, since the owner may be either: the repositories that delete an owner delete its tasks.
tasks = Table(
    "tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("completed", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "owner_id", "created_at"),
)

# Every revocation event committed (see `UnitOfWork`), one row per session or user, so that other
# processes and restarted ones learn of it from the database. Rows stay when their user is deleted
# (no foreign key): a deleted account's tokens must keep failing. Pruned once too old to matter.
revocation_log = Table(
    "revocation_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("subject", String(36), nullable=False),
    Column("roles", Text, nullable=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Index(None, "occurred_at"),
)

# One second factor per account: its TOTP secret, sealed with a key the database does not hold
# (AES-GCM under a key derived from the secret key), and the step of the last code accepted.
second_factors = Table(
    "second_factors",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("sealed_secret", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("confirmed_at", UtcDateTime, nullable=True),
    Column("last_step", BigInteger, nullable=True),
)

# The recovery codes of a second factor, stored only as keyed hashes; single use.
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("user_id", String(36), ForeignKey("second_factors.user_id", ondelete="CASCADE"), primary_key=True),
    Column("code_hash", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

# The second steps of logins, by the hash of their `mfa_token`; `tries` counts the codes tried.
mfa_challenges = Table(
    "mfa_challenges",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("used_at", UtcDateTime, nullable=True),
    # The RFC 8176 value of the first step: "pwd" (a password) or "ext" (a social login).
    Column("first_factor", String(8), nullable=False, server_default="pwd"),
    Index(None, "user_id"),
)

# The passkeys (WebAuthn credentials) of accounts. `credential_id` is unique across accounts (an
# authenticator's id of the credential, at most 1023 bytes); `sign_count` the last signature
# counter seen (up to 2**32 - 1, hence a bigint); `transports` the browser's hints joined by spaces
# ("hybrid internal"), none being an empty string.
passkeys = Table(
    "passkeys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("credential_id", LargeBinary, nullable=False, unique=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("sign_count", BigInteger, nullable=False),
    Column("transports", Text, nullable=False),
    Column("backup_eligible", Boolean, nullable=False),
    Column("backed_up", Boolean, nullable=False),
    # `domain.passkeys.PASSKEY_NAME_MAX_LENGTH` characters at most.
    Column("name", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=True),
    Index(None, "user_id"),
)

# The server's half of WebAuthn ceremonies in progress, by the hash of their handle; single use.
# `user_id` is NULL for a passwordless login, which names no account. Expired rows are deleted
# when a new challenge is saved (by `expires_at`, hence its index).
webauthn_challenges = Table(
    "webauthn_challenges",
    metadata,
    Column("handle_hash", String(64), primary_key=True),
    Column("purpose", String(32), nullable=False),
    Column("challenge", LargeBinary, nullable=False),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index(None, "expires_at"),
    Index(None, "user_id"),
)

# The personal API keys of accounts, known only by the SHA-256 hex digest of the key: `key_hash`
# is what every request authenticated by a key looks up, through its unique index. `shown` is the
# public prefix (`bst_` and 8 characters); `scopes` the scope values sorted and joined by spaces;
# `allowed_networks` the CIDR ranges joined by commas, none being an empty string (any network).
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # `domain.api_keys.API_KEY_NAME_MAX_LENGTH` characters at most.
    Column("name", String(100), nullable=False),
    Column("shown", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("scopes", Text, nullable=False),
    Column("allowed_networks", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index(None, "user_id"),
)

service_accounts = Table(
    "service_accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    # `domain.api_keys.API_KEY_NAME_MAX_LENGTH` characters at most, as an API key's.
    Column("name", String(100), nullable=False),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("secret_hash", Text, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("secret_rotated_at", UtcDateTime, nullable=True),
    Column("deleted_at", UtcDateTime, nullable=True),
)

# The identities at providers linked to accounts (social login). An identity (`issuer` + `subject`)
# is linked to one account at most, hence the unique pair; OpenID Connect caps a subject at 255
# ASCII characters. `email` is what the provider said at linking, for display and the data export.
identities = Table(
    "identities",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # `domain.identities.PROVIDER_NAME`: 32 characters at most.
    Column("provider", String(32), nullable=False),
    Column("issuer", String(255), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("email", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("issuer", "subject"),
    Index(None, "user_id"),
)

# The social login flows in progress (browser round trips to a provider), by the hash of their
# `state`; single use. `browser_hash` is set for a login flow, `user_id` for a link flow. Expired
# rows are deleted a day late when a new flow is saved (by `expires_at`, hence its index).
oauth_flows = Table(
    "oauth_flows",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("provider", String(32), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("nonce", Text, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("browser_hash", String(64), nullable=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index(None, "expires_at"),
    Index(None, "user_id"),
)
