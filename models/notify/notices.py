"""The ticket notices: "your turn is near", "called to window N", "missed", each written into the
outbox in the same transaction as the queue step that causes it (models.queue), for tickets
whose citizen left a mobile number (on the ticket page, or with the booking it checked in).

A citizen who only follows the ticket page needs no message: the page shows the same notices
live (server/pages.py). Nothing here reads or writes events: a message is not a hall step, and
events never hold a mobile number.

Cost on the hot path (a call): one indexed query for the called ticket's recipient and one for
waiting tickets of the queue that have a number and no "near" notice yet; the queue's call order
is computed only when such a ticket exists (models.queue.queueing.call_order).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, Table, and_, bindparam, delete, exists, insert, or_, select, update
from sqlmodel import Session

from models.db import retry_conflicts, writing
from models.errors import NotFound, Refused
from models.hall import HallSettings, hall_settings
from models.notify.outbox import enqueue
from models.queue import ticketrows
from models.queue.bookingpeople import clean_mobile
from models.queue.bookingpeople import mask_mobile as booked_mask
from models.queue.queueing import Waiting, call_order
from models.queue.ticketrows import T, TicketRow
from models.tables import Appointment, OutboxMessage, TicketContact, TicketStatus
from models.timeutil import resolve_now

TC: Table = TicketContact.__table__  # type: ignore[attr-defined]
OB: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
A: Table = Appointment.__table__  # type: ignore[attr-defined]


def mask_mobile(mobile: str | None) -> str:
    """A mobile number as shown anywhere: 138****1234 ("—" when there is none)."""
    return booked_mask(mobile) if mobile else "—"


def normalise_mobile(text: str) -> str:
    """The digits of a mobile number as typed (spaces, dashes, +86 allowed), as a booking
    takes them. Raises Refused("booking_bad_mobile") when it is not a mainland mobile number."""
    return clean_mobile(text)


# --- who to tell --------------------------------------------------------------------------

_APPOINTMENT_MOBILE = A.c.get("mobile")
"""The booking's mobile number (the booking helper's column), when the schema has one."""

_CONTACT = select(TC.c.mobile).where(TC.c.ticket_id == bindparam("p_ticket"))
_BOOKED = (
    select(_APPOINTMENT_MOBILE).where(A.c.id == bindparam("p_appointment"))
    if _APPOINTMENT_MOBILE is not None
    else None
)


def ticket_recipient(session: Session, ticket: TicketRow) -> str | None:
    """The mobile number to tell about this ticket, or None (nobody asked to be told).

    The number the citizen left on the ticket page, else the booking's (a checked-in ticket).
    This is the one place the notices learn who to tell."""
    mobile = session.execute(_CONTACT, {"p_ticket": ticket.id}).scalar()
    if mobile:
        return str(mobile)
    if ticket.appointment_id is not None and _BOOKED is not None:
        booked = session.execute(_BOOKED, {"p_appointment": ticket.appointment_id}).scalar()
        if booked:
            return str(booked)
    return None


def _has_recipient() -> object:
    """SQL: the ticket (T) has someone to tell."""
    left = exists().where(TC.c.ticket_id == T.c.id, TC.c.mobile.is_not(None))
    if _APPOINTMENT_MOBILE is None:
        return left
    booked = exists().where(A.c.id == T.c.appointment_id, _APPOINTMENT_MOBILE.is_not(None))
    return or_(left, and_(T.c.appointment_id.is_not(None), booked))


_UNTOLD = select(T.c.id).where(
    T.c.business_date == bindparam("p_day"),
    T.c.queue_id == bindparam("p_queue"),
    T.c.status == TicketStatus.WAITING.value,
    _has_recipient(),  # type: ignore[arg-type]
    ~exists().where(OB.c.ticket_id == T.c.id, OB.c.kind == "turn_near"),
)
_WAITING = select(T.c.id, T.c.priority, T.c.order_key).where(
    T.c.business_date == bindparam("p_day"),
    T.c.queue_id == bindparam("p_queue"),
    T.c.status == TicketStatus.WAITING.value,
)


def notice_near(
    session: Session, settings: HallSettings, day: dt.date, queue_id: int, moment: dt.datetime
) -> list[int]:
    """Write the "turn near" message of every waiting ticket of a queue that now has
    ``notify_near_ahead`` people or fewer ahead, has a recipient and was not told yet; their
    ticket ids. Once per ticket (the outbox's dedupe name ``turn_near:<ticket id>``)."""
    threshold = settings.notify_near_ahead
    if threshold <= 0:
        return []
    untold = set(session.execute(_UNTOLD, {"p_day": day, "p_queue": queue_id}).scalars())
    if not untold:
        return []
    rows = session.execute(_WAITING, {"p_day": day, "p_queue": queue_id}).all()
    order = call_order(
        [Waiting(id=i, priority=p != "normal", key=k) for i, p, k in rows],
        run=ticketrows.get_run(session, day, queue_id),
        max_run=settings.priority_run,
    )
    told = []
    for ahead, ticket_id in enumerate(order[: threshold + 1]):
        if ticket_id not in untold:
            continue
        ticket = ticketrows.fetch(session, T.c.id == ticket_id)
        if ticket is None:
            continue
        recipient = ticket_recipient(session, ticket)
        if recipient is None:
            continue
        written = enqueue(
            session,
            kind="turn_near",
            data={"number": ticket.number, "ahead": ahead},
            recipient=recipient,
            ticket_id=ticket.id,
            appointment_id=ticket.appointment_id,
            dedupe=f"turn_near:{ticket.id}",
            now=moment,
        )
        if written is not None:
            told.append(ticket.id)
    return told


def notice_called(
    session: Session, ticket: TicketRow, window: int, moment: dt.datetime
) -> int | None:
    """Write the "called to window N" message of a ticket just called, if it has a recipient."""
    recipient = ticket_recipient(session, ticket)
    if recipient is None:
        return None
    return enqueue(
        session,
        kind="called",
        data={"number": ticket.number, "window": window},
        recipient=recipient,
        ticket_id=ticket.id,
        appointment_id=ticket.appointment_id,
        now=moment,
    )


def notice_missed(session: Session, ticket: TicketRow, moment: dt.datetime) -> int | None:
    """Write the "missed" message of a ticket just marked a no-show (void or requeueable)."""
    recipient = ticket_recipient(session, ticket)
    if recipient is None:
        return None
    return enqueue(
        session,
        kind="missed",
        data={
            "number": ticket.number,
            "void": ticket.status == TicketStatus.VOID,
            "misses": ticket.misses,
        },
        recipient=recipient,
        ticket_id=ticket.id,
        appointment_id=ticket.appointment_id,
        now=moment,
    )


# --- the citizen leaves (or takes back) a number ----------------------------------------------

OPEN = (TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.MISSED.value)


@retry_conflicts
def leave_number(
    engine: Engine, *, token: str, mobile: str | None, now: dt.datetime | None = None
) -> str | None:
    """Keep (or, with None, forget) the number a citizen left on the ticket page to be told
    when their turn is near; the masked number kept. A ticket already near is told at once.

    Raises NotFound("unknown_ticket"), Refused("booking_bad_mobile"), or Refused("notify_closed")
    when the ticket is no longer waiting for a call."""
    digits = normalise_mobile(mobile) if mobile is not None else None
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        ticket = ticketrows.by_token(session, token)
        if ticket is None:
            raise NotFound("unknown_ticket")
        if digits is None:
            session.execute(delete(TC).where(TC.c.ticket_id == ticket.id))
            return None
        if ticket.status not in OPEN:
            raise Refused("notify_closed", number=ticket.number)
        updated = session.execute(  # type: ignore[attr-defined]
            update(TC).where(TC.c.ticket_id == ticket.id).values(mobile=digits)
        ).rowcount
        if not updated:
            session.execute(
                insert(TC).values(ticket_id=ticket.id, mobile=digits, created_at=moment)
            )
        if ticket.status == TicketStatus.WAITING:
            notice_near(session, settings, ticket.business_date, ticket.queue_id, moment)
        return mask_mobile(digits)


def left_numbers(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The masked numbers citizens left for these tickets, by ticket id (one query)."""
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TC.c.ticket_id, TC.c.mobile).where(
            TC.c.ticket_id.in_(ticket_ids), TC.c.mobile.is_not(None)
        )
    ).all()
    return {ticket_id: mask_mobile(mobile) for ticket_id, mobile in rows}


def forget_numbers(session: Session, *, before: dt.date) -> int:
    """At the day's close: erase the numbers left for tickets of business dates before
    ``before`` (a number is kept only while its ticket can still be called), and expire their
    unsent ticket messages (a "turn near" of yesterday is no news), masking their recipients.
    The count of numbers erased."""
    old = select(T.c.id).where(T.c.business_date < before)
    stale = session.execute(
        select(OB.c.id, OB.c.recipient).where(
            OB.c.ticket_id.in_(old), OB.c.state.in_(("pending", "held", "failed"))
        )
    ).all()
    for message_id, recipient in stale:
        session.execute(
            update(OB)
            .where(OB.c.id == message_id)
            .values(state="expired", recipient=mask_mobile(recipient) if recipient else None)
        )
    return int(session.execute(delete(TC).where(TC.c.ticket_id.in_(old))).rowcount or 0)  # type: ignore[attr-defined]


def carry_number(session: Session, old_id: int, new_id: int) -> None:
    """A transferred citizen's number follows them to the new ticket."""
    session.execute(update(TC).where(TC.c.ticket_id == old_id).values(ticket_id=new_id))
