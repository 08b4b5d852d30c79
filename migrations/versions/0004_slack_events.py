"""slack events: platform deliveries already handled, so retried events take effect once

Revision ID: 0004_slack_events
Revises: 0002
Create Date: 2026-11-23 10:21:25.151746
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_slack_events"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_events",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "event_id", name=op.f("pk_handled_events")),
    )
    with op.batch_alter_table("handled_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handled_events_handled_at"), ["handled_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handled_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handled_events_handled_at"))

    op.drop_table("handled_events")
