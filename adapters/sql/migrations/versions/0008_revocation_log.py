"""The revocation log: every revocation in the database, for other and restarted processes.

Revision ID: 0008_revocation_log
Revises: 0007_composed_mail
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_revocation_log"
down_revision = "0007_composed_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revocation_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(36), nullable=False),
        sa.Column("roles", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_revocation_log"),
    )
    op.create_index("ix_revocation_log_occurred_at", "revocation_log", ["occurred_at"])


def downgrade() -> None:
    op.drop_table("revocation_log")
