"""Online bookings: the appointment row gains its booking's token, channel, slot, personal data
(erased after the retention period) and person keys; slot and person rows to lock

Revision ID: 0013_bookings
Revises: 0012_outbox
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_bookings"
down_revision: str | None = "0012_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("appointment") as batch:
        batch.add_column(sa.Column("token", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("channel", sa.String(length=40), nullable=False, server_default="csv")
        )
        batch.add_column(sa.Column("pool", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("name", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("mobile", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column("mobile_masked", sa.String(length=20), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("person_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("id_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("booked_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("cancelled_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("no_show_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("erased_at", _WHEN, nullable=True))
        batch.create_unique_constraint("uq_appointment_token", ["token"])
    op.create_index("ix_appointment_person_key", "appointment", ["person_key"])
    op.create_index("ix_appointment_id_key", "appointment", ["id_key"])
    op.create_index("ix_appointment_day_status", "appointment", ["slot_date", "status"])
    op.create_table(
        "booking_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pool", "day", "start", name="uq_booking_slot"),
    )
    op.create_table(
        "booking_person",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("first_seen", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("booking_person")
    op.drop_table("booking_slot")
    op.drop_index("ix_appointment_day_status", "appointment")
    op.drop_index("ix_appointment_id_key", "appointment")
    op.drop_index("ix_appointment_person_key", "appointment")
    with op.batch_alter_table("appointment") as batch:
        batch.drop_constraint("uq_appointment_token", type_="unique")
        for column in (
            "erased_at", "no_show_at", "cancelled_at", "booked_at", "id_key", "person_key",
            "mobile_masked", "mobile", "name", "pool", "channel", "token",
        ):  # fmt: skip
            batch.drop_column(column)
