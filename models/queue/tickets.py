"""Taking tickets: the one place numbers are allocated.

A number is issued once: the day counter row is incremented in the same write transaction that
inserts the ticket and its event, so a crash leaves either all three or none.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from models.db import reading, retry_conflicts, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.hall import HallSettings, hall_settings, queue_hours
from models.lookup import QueueRow, format_number, get_item, get_queue, queue_by_id
from models.queue import ticketrows
from models.queue.dayclose import close_if_first
from models.queue.ticketrows import TicketRow
from models.tables import Priority, TicketStatus
from models.timeutil import business_date, local, resolve_now
from models.views.ticket import TicketView, view_new_ticket, view_ticket
from models.workdays import is_workday

WALK_IN_PRIORITIES = (Priority.NORMAL, Priority.GREEN)


@retry_conflicts
def take_ticket(
    engine: Engine,
    *,
    queue: str | None = None,
    item: str | None = None,
    priority: str = Priority.NORMAL,
    now: dt.datetime | None = None,
    source: str = "kiosk",
    green_by: str | None = None,
) -> TicketView:
    """Issue a walk-in ticket for a queue (or the queue of an item).

    ``green_by``: the clerk who confirmed the green channel at the kiosk, where the hall file
    says ``green_channel = "staff"`` (the command line is the guide desk's: no one needed).

    Raises NotFound (queue, item), Refused (closed day or hours, the day's cap reached,
    an item of another queue, an unknown priority class, a green channel no staff confirmed).
    """
    if priority not in WALK_IN_PRIORITIES:
        raise Refused("bad_priority", priority=priority)
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        if (
            priority == Priority.GREEN
            and source == "kiosk"
            and settings.green_channel == "staff"
            and not green_by
        ):
            raise Refused("green_needs_staff")
        service = get_item(session, item) if item else None
        if queue:
            chosen = get_queue(session, queue)
            if service and service.queue_id != chosen.id:
                raise Refused("item_not_in_queue", item=service.code, queue=chosen.prefix)
        elif service:
            chosen = queue_by_id(session, service.queue_id)
        else:
            raise NotFound("unknown_queue", queue="")
        check_open(settings, chosen, moment)
        ticket = issue(
            session,
            settings=settings,
            queue=chosen,
            moment=moment,
            item_code=service.code if service else None,
            priority=priority,
            cap=True,
        )
        append_event(
            session,
            kind="issued",
            ticket_id=ticket.id,
            at=moment,
            data={
                "number": ticket.number,
                "priority": priority,
                "item": ticket.item_code,
                "source": source,
                **({"green_by": green_by} if green_by else {}),
            },
        )
        view = view_new_ticket(session, ticket, settings=settings, queue=chosen)
    close_if_first(engine, ticket.seq, moment)  # the first number of the day closes the last
    return view


def check_open(settings: HallSettings, queue: QueueRow, moment: dt.datetime) -> None:
    """Refuse a walk-in outside the hall's days or the queue's hours."""
    here = local(moment, settings.timezone)
    if settings.open_days == "workdays" and not is_workday(here.date())[0]:
        raise Refused("hall_closed_day", date=here.date().isoformat())
    ranges = queue_hours(settings, queue.hours)
    if not any(start <= here.time() < end for start, end in ranges):
        hours = ", ".join(
            f"{s:%H:%M}-{e:%H:%M}" if e != dt.time.max else f"{s:%H:%M}-24:00" for s, e in ranges
        )
        raise Refused("queue_closed", queue=queue.prefix, hours=hours)


OPENING_SEARCH_DAYS = 40
"""How far ahead the next opening is looked for (the longest holiday, 国庆, is 8 days)."""


def next_opening(
    settings: HallSettings, queue: QueueRow, moment: dt.datetime
) -> dt.datetime | None:
    """When the queue next takes tickets after ``moment``, in the hall's local time (None: not
    within OPENING_SEARCH_DAYS, e.g. a hall file with no working day left)."""
    here = local(moment, settings.timezone)
    starts = sorted(start for start, _end in queue_hours(settings, queue.hours))
    for ahead in range(OPENING_SEARCH_DAYS):
        day = here.date() + dt.timedelta(days=ahead)
        if settings.open_days == "workdays" and not is_workday(day)[0]:
            continue
        for start in starts:
            if ahead or start > here.time():
                return dt.datetime.combine(day, start, tzinfo=here.tzinfo)
    return None


class QueueRef(Protocol):
    """What issuing needs to know of a queue."""

    @property
    def id(self) -> int | None: ...
    @property
    def prefix(self) -> str: ...
    @property
    def daily_cap(self) -> int: ...


def issue(
    session: Session,
    *,
    settings: HallSettings,
    queue: QueueRef,
    moment: dt.datetime,
    item_code: str | None,
    priority: str,
    cap: bool,
    order_key: float | None = None,
    parent_id: int | None = None,
    target_window: int | None = None,
    appointment_id: int | None = None,
    number: str | None = None,
    issued_at: dt.datetime | None = None,
) -> TicketRow:
    """Allocate the next number of a queue and insert the ticket (no event: callers write it).

    A transfer passes the ``number`` the citizen holds and the first ticket's ``issued_at``: the
    ticket still takes the queue's next sequence (the zone skips that number), shows the old one.
    """
    assert queue.id is not None
    day = business_date(moment, settings.timezone)
    seq = ticketrows.next_seq(session, day, queue.id)
    if cap and queue.daily_cap and seq > queue.daily_cap:
        # Raising rolls the whole transaction back, the counter increment included.
        raise Refused("queue_full", queue=queue.prefix, cap=queue.daily_cap)
    return ticketrows.add(
        session,
        business_date=day,
        queue_id=queue.id,
        seq=seq,
        number=number or format_number(queue.prefix, seq),
        item_code=item_code,
        priority=str(priority),
        status=TicketStatus.WAITING.value,
        order_key=float(seq) if order_key is None else order_key,
        issued_at=issued_at or moment,
        parent_id=parent_id,
        target_window=target_window,
        appointment_id=appointment_id,
        token=secrets.token_hex(8),
        recalls=0,
        misses=0,
    )


def ticket_by_token(engine: Engine, token: str) -> TicketView:
    """Look a ticket up by the token in its QR code: the ticket the citizen holds now (a
    transferred ticket leads to the ticket it became, see :func:`ticketrows.by_token`)."""
    with reading(engine) as session:
        ticket = ticketrows.by_token(session, token)
        if ticket is None:
            raise NotFound("unknown_number", number=token)
        return view_ticket(session, ticket, settings=hall_settings(session))
