"""appointments imported in batches: rows of an import in progress carry its batch tag

Revision ID: 0006_input
Revises: 0005
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_input"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_batch", sa.String(length=16), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_appointment_import_batch"), ["import_batch"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_import_batch"))
        batch_op.drop_column("import_batch")
