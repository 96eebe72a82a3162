"""the queue core: hall, queues, tickets, events

Revision ID: 0001
Revises:
Create Date: 2026-11-25 02:41:33.690353
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The chain starts here; every writer locks this row to append an event.
    op.bulk_insert(
        sa.table("chain_head", sa.column("id"), sa.column("seq"), sa.column("hash")),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    op.create_table(
        "clerk",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("pin_hash", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "event",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("clerk_code", sa.String(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "hall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=1), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=False),
        sa.Column("wait_limit_minutes", sa.Integer(), nullable=False),
        sa.Column("service_minutes", sa.Integer(), nullable=False),
        sa.Column("hours", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prefix"),
    )
    op.create_table(
        "day_counter",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("priority_run", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queue.id"],
        ),
        sa.PrimaryKeyConstraint("business_date", "queue_id"),
    )
    op.create_table(
        "service_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("department", sa.String(), nullable=False),
        sa.Column("instant", sa.Boolean(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("service_minutes", sa.Integer(), nullable=True),
        sa.Column("materials", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queue.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=8), nullable=False),
        sa.Column("item_code", sa.String(), nullable=True),
        sa.Column("priority", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("order_key", sa.Float(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("target_window", sa.Integer(), nullable=True),
        sa.Column("clerk_code", sa.String(), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["ticket.id"],
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queue.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("business_date", "queue_id", "seq", name="uq_ticket_number"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_queue_finished", ["queue_id", "status", "finished_at"], unique=False
        )
        batch_op.create_index("ix_ticket_status_window", ["status", "window"], unique=False)
        batch_op.create_index(
            "ix_ticket_next",
            ["business_date", "status", "queue_id", "priority", "order_key", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ticket_target", ["target_window", "status", "business_date"], unique=False
        )

    op.create_table(
        "window",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label_zh", sa.String(), nullable=False),
        sa.Column("label_en", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("clerk_code", sa.String(), nullable=True),
        sa.Column("login_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clerk_code"],
            ["clerk.code"],
        ),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(), nullable=True),
        sa.Column("slot_date", sa.Date(), nullable=False),
        sa.Column("slot_start", sa.Time(), nullable=False),
        sa.Column("slot_end", sa.Time(), nullable=False),
        sa.Column("name_masked", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queue.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("window_number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("clerk_code", sa.String(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["window_number"],
            ["window.number"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pause_window_number"), ["window_number"], unique=False)

    op.create_table(
        "window_queue",
        sa.Column("window_number", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queue.id"],
        ),
        sa.ForeignKeyConstraint(
            ["window_number"],
            ["window.number"],
        ),
        sa.PrimaryKeyConstraint("window_number", "queue_id"),
    )


def downgrade() -> None:
    op.drop_table("window_queue")
    with op.batch_alter_table("pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pause_window_number"))

    op.drop_table("pause")
    op.drop_table("appointment")
    op.drop_table("window")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_next")
        batch_op.drop_index("ix_ticket_target")
        batch_op.drop_index("ix_ticket_status_window")
        batch_op.drop_index("ix_ticket_queue_finished")

    op.drop_table("ticket")
    op.drop_table("service_item")
    op.drop_table("day_counter")
    op.drop_table("queue")
    op.drop_table("hall")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_ticket_id"))

    op.drop_table("event")
    op.drop_table("clerk")
    op.drop_table("chain_head")
