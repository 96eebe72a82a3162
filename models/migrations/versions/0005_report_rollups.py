"""daily rollups of closed days for reports over long ranges; cases found by pickup code

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("by_kind", sa.String(length=8), nullable=False),
        sa.Column("part", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(), nullable=True),
        sa.Column("bucket", sa.Integer(), nullable=True),
        *(sa.Column(f"c{n}", sa.Integer(), nullable=True) for n in range(1, 8)),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_report_rollup_day", ["by_kind", "part", "business_date"])
    op.create_table(
        "report_rollup_day",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("by_kind", sa.String(length=8), nullable=False),
        sa.Column("upto_seq", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("business_date", "by_kind"),
    )

    # A new case's code is checked against two years of cases, and pickup looks it up.
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.create_index("ix_service_case_pickup_code", ["pickup_code"])


def downgrade() -> None:
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.drop_index("ix_service_case_pickup_code")
    op.drop_table("report_rollup_day")
    with op.batch_alter_table("report_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_report_rollup_day")
    op.drop_table("report_rollup")
