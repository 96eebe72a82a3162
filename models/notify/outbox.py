"""The outbox: a message to a citizen is a row written in the same transaction as the step that
causes it (a booking made, a ticket called), so a step is never told without happening and
never happens without being told. The sender (models.notify) delivers the rows later.

What a row holds: its kind, the ticket or booking it is about, the facts to say (number, window,
slot; never a name or a mobile number in ``data``) and the recipient's mobile number, the only
personal data, kept in clear because the gateway needs it and erased after the retention period.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.tables import OutboxMessage
from models.timeutil import resolve_now

KINDS = ("booking_made", "booking_cancelled", "booking_reminder", "turn_near", "called", "missed")
"""What a message can be about."""


def enqueue(
    session: Session,
    *,
    kind: str,
    data: dict[str, Any],
    recipient: str | None = None,
    ticket_id: int | None = None,
    appointment_id: int | None = None,
    dedupe: str | None = None,
    now: dt.datetime | None = None,
) -> int | None:
    """Write a message into the outbox inside the caller's transaction; its id.

    ``dedupe`` names a message that must exist once only (``turn_near:<ticket id>``): when one
    with that name is already there, nothing is written and None is returned. The caller's write
    transaction holds the row locks of the step, so two steps cannot both miss the other's row.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    if dedupe is not None:
        found = session.exec(
            select(OutboxMessage.id).where(col(OutboxMessage.dedupe) == dedupe)
        ).first()
        if found is not None:
            return None
    at = resolve_now(now)
    message = OutboxMessage(
        kind=kind,
        ticket_id=ticket_id,
        appointment_id=appointment_id,
        recipient=recipient,
        dedupe=dedupe,
        data=json.dumps(data, ensure_ascii=False, sort_keys=True, default=str),
        next_attempt_at=at,
        created_at=at,
    )
    if dedupe is None:
        session.add(message)
        session.flush()
    else:
        # A step in another transaction may write the same name at once (its locks need not
        # cover this one's): the loser's insert is undone alone, the step goes on.
        try:
            with session.begin_nested():
                session.add(message)
                session.flush()
        except IntegrityError:
            return None
    assert message.id is not None
    return message.id
