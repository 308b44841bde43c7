"""Webhooks in the outbox: a `kind` per entry, and the index of pending entries by kind.

Revision ID: 0009_webhooks
Revises: 0008_revocation_log
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_webhooks"
down_revision = "0008_revocation_log"
branch_labels = None
depends_on = None

_PENDING = sa.text("sent_at IS NULL AND failed_at IS NULL")


def upgrade() -> None:
    # Every entry stored so far is mail.
    op.add_column("outbox", sa.Column("kind", sa.String(16), server_default="mail", nullable=False))
    op.drop_index("ix_outbox_next_attempt_at", table_name="outbox")
    op.create_index(
        "ix_outbox_kind", "outbox", ["kind", "next_attempt_at"], postgresql_where=_PENDING, sqlite_where=_PENDING
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_kind", table_name="outbox")
    # The webhooks go with the column that tells them from mail.
    op.execute(sa.text("DELETE FROM outbox WHERE kind <> 'mail'"))
    op.create_index(
        "ix_outbox_next_attempt_at", "outbox", ["next_attempt_at"], postgresql_where=_PENDING, sqlite_where=_PENDING
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("kind")
