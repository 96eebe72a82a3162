"""the event chain sealed with the hall's key: keyed hashes from here on

Revision ID: 0009_audit
Revises: 0008_pins
Create Date: 2026-12-05 09:00:00

Events already written keep their plain SHA-256 hashes and still verify; every event from the
next one on is an HMAC with the hall's key. Where the keyed part begins (``keyed_from``) and the
hash it starts from are sealed with the key (``key_mark``), so nobody without the key can move
that point to pass a re-hashed history off as "from before the upgrade". Needs the key file
(``mashangban init`` creates it first).
"""

import secrets as random
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models import secret
from models.events import GENESIS, chain_mark, events_key

revision: str = "0009_audit"
down_revision: str | None = "0008_pins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    key = secret.load_key()  # before any change: without the key nothing is done
    with op.batch_alter_table("chain_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("keyed_from", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(
            sa.Column("chain_id", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("key_fingerprint", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("key_mark", sa.String(length=64), nullable=False, server_default="")
        )
    conn = op.get_bind()
    seq, anchor = conn.execute(sa.text("SELECT seq, hash FROM chain_head WHERE id = 1")).one()
    keyed_from, chain_id = int(seq) + 1, random.token_hex(8)
    conn.execute(
        sa.text(
            "UPDATE chain_head SET keyed_from = :keyed_from, chain_id = :chain_id, "
            "key_fingerprint = :fingerprint, key_mark = :mark WHERE id = 1"
        ),
        {
            "keyed_from": keyed_from,
            "chain_id": chain_id,
            "fingerprint": secret.fingerprint(key),
            "mark": chain_mark(
                events_key(key), chain_id=chain_id, keyed_from=keyed_from, anchor=anchor or GENESIS
            ),
        },
    )


def downgrade() -> None:
    with op.batch_alter_table("chain_head", schema=None) as batch_op:
        batch_op.drop_column("key_mark")
        batch_op.drop_column("key_fingerprint")
        batch_op.drop_column("chain_id")
        batch_op.drop_column("keyed_from")
