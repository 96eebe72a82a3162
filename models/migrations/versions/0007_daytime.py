"""the day's end: report rollups count the tickets closed as expired (c8)

A ticket's new status ``expired`` needs no schema change (status is free text); the rollups get
one more figure column, and their version (models.reports.rollups.VERSION) makes every stored day be
counted again.

Revision ID: 0007_daytime
Revises: 0006_input
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_daytime"
down_revision: str | None = "0006_input"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_rollup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("c8", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_rollup", schema=None) as batch_op:
        batch_op.drop_column("c8")
