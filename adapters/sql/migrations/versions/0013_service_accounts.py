"""Service accounts: machine clients of the client credentials grant, their secrets stored as argon2id hashes.

A service account owns tasks of its own, so a task's owner is a user or a service account, and
`tasks.owner_id` loses its foreign key to `users`: deleting a user or a service account deletes its
tasks explicitly, in the same transaction.

Revision ID: 0013_service_accounts
Revises: 0012_api_keys
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0013_service_accounts"
down_revision = "0012_api_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_accounts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("secret_rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_service_accounts"),
        sa.UniqueConstraint("client_id", name="uq_service_accounts_client_id"),
    )
    # Batch mode: SQLite drops a foreign key by copying the table.
    with op.batch_alter_table("tasks") as batch:
        batch.drop_constraint("fk_tasks_owner_id_users", type_="foreignkey")


def downgrade() -> None:
    # The tasks of service accounts cannot reference a user: they go with the accounts.
    op.execute("DELETE FROM tasks WHERE owner_id NOT IN (SELECT id FROM users)")
    with op.batch_alter_table("tasks") as batch:
        batch.create_foreign_key("fk_tasks_owner_id_users", "users", ["owner_id"], ["id"], ondelete="CASCADE")
    op.drop_table("service_accounts")
