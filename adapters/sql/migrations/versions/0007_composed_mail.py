"""Requests for mail composed at delivery (password reset requests) in the outbox.

Revision ID: 0007_composed_mail
Revises: 0006_sealed_mail
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_composed_mail"
down_revision = "0006_sealed_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("composer", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("composer")
