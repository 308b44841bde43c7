"""Mailed tokens sealed in the outbox, and no mail body kept after delivery.

Revision ID: 0006_sealed_mail
Revises: 0005_tasks
Create Date: 2026-12-05

Rows already sent or given up lose their bodies, which held reset and verification links in clear.
Rows still pending keep theirs until they are delivered (dropping them would lose mail).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_sealed_mail"
down_revision = "0005_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("sealed_token", sa.Text(), nullable=True))
    op.execute(
        "UPDATE outbox SET body_text = '', body_html = NULL WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("sealed_token")
