"""indexes for a window's day (the counter's figures)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 06:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_window_day", ["window", "business_date", "status"])
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_window_kind_at", ["window", "kind", "at"])


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_window_kind_at")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_window_day")
