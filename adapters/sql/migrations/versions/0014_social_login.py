"""Social login: the provider identities linked to accounts, the login flows in progress, accounts
without a password (`users.hashed_password` NULL) and the first factor of an MFA step.

SQLite cannot alter a column's NULL rule in place, and batch mode's copy of `users` would not do:
dropping the old table runs an implicit DELETE whose ON DELETE CASCADE empties every table that
references it (foreign keys are enforced during migrations, and the pragma cannot be switched off
inside their transaction). So the column is replaced instead: a new one is added, filled, the old
one dropped and the new one renamed (SQLite 3.35 and later), and `users` itself is never dropped.

Revision ID: 0014_social_login
Revises: 0013_service_accounts
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0014_social_login"
down_revision = "0013_service_accounts"
branch_labels = None
depends_on = None

# What a downgrade stores for an account without a password: no hasher recognises it, so it never
# verifies, and the owner sets a password with a reset link as before.
_UNUSABLE_PASSWORD = "!"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_password_column(sa.Column("new_hashed_password", sa.Text(), nullable=True))
    else:
        op.alter_column("users", "hashed_password", existing_type=sa.Text(), nullable=True)
    # Every MFA step begun so far followed a password.
    op.add_column("mfa_challenges", sa.Column("first_factor", sa.String(8), server_default="pwd", nullable=False))
    op.create_table(
        "identities",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_identities_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
        sa.UniqueConstraint("issuer", "subject", name="uq_identities_issuer"),
    )
    op.create_index("ix_identities_user_id", "identities", ["user_id"])
    op.create_table(
        "oauth_flows",
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("browser_hash", sa.String(64), nullable=True),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_oauth_flows_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("state_hash", name="pk_oauth_flows"),
    )
    op.create_index("ix_oauth_flows_expires_at", "oauth_flows", ["expires_at"])
    op.create_index("ix_oauth_flows_user_id", "oauth_flows", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_oauth_flows_user_id", table_name="oauth_flows")
    op.drop_index("ix_oauth_flows_expires_at", table_name="oauth_flows")
    op.drop_table("oauth_flows")
    op.drop_index("ix_identities_user_id", table_name="identities")
    op.drop_table("identities")
    # Batch mode copies `mfa_challenges`, which no table references.
    with op.batch_alter_table("mfa_challenges") as batch:
        batch.drop_column("first_factor")
    users = sa.table("users", sa.column("hashed_password", sa.Text()))
    op.execute(users.update().where(users.c.hashed_password.is_(None)).values(hashed_password=_UNUSABLE_PASSWORD))
    if op.get_bind().dialect.name == "sqlite":
        # A NOT NULL column can only be added with a default; it is never used, as before.
        _replace_password_column(
            sa.Column("new_hashed_password", sa.Text(), server_default=_UNUSABLE_PASSWORD, nullable=False)
        )
    else:
        op.alter_column("users", "hashed_password", existing_type=sa.Text(), nullable=False)


def _replace_password_column(column: sa.Column[str]) -> None:
    """SQLite: give `users.hashed_password` the NULL rule of `column` without dropping `users`."""
    op.add_column("users", column)
    users = sa.table("users", sa.column("hashed_password", sa.Text()), sa.column(column.name, sa.Text()))
    op.execute(users.update().values({column.name: users.c.hashed_password}))
    op.drop_column("users", "hashed_password")
    op.alter_column("users", column.name, new_column_name="hashed_password")
