"""Calling and serving at a window: the one place tickets are claimed.

A ticket is called once. On SQLite every write transaction holds the database's write lock
(``BEGIN IMMEDIATE``) so claims are serial; on PostgreSQL the candidate row is taken with
``FOR UPDATE SKIP LOCKED``, so windows never wait for each other's candidate. Both then update
with ``WHERE status = 'waiting'`` and check the row count.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from models.db import writing
from models.errors import DatabaseError, NothingWaiting, Refused
from models.events import append_event
from models.hall import HallSettings, hall_settings
from models.lookup import (
    current_ticket,
    find_ticket,
    get_window,
    open_pause,
    refuse_state,
    window_queue_ids,
)
from models.messages import STATUS_ZH
from models.queueing import next_run, pick_priority
from models.tables import DayCounter, Priority, Ticket, TicketStatus, Window
from models.timeutil import business_date, resolve_now
from models.views import TicketView, view_ticket


def ready_window(session: Session, number: int) -> Window:
    """A window that may call: it exists, a clerk is in, it is not paused, nobody is at it."""
    window = get_window(session, number)
    if window.clerk_code is None:
        raise Refused("no_clerk", window=number)
    pause = open_pause(session, number)
    if pause is not None:
        raise Refused("window_paused", window=number, reason=pause.reason)
    busy = current_ticket(session, number)
    if busy is not None:
        raise Refused(
            "window_busy",
            window=number,
            number=busy.number,
            status=busy.status,
            status_zh=STATUS_ZH.get(busy.status, busy.status),
        )
    return window


def call_next(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """Call the next ticket for a window by the queue order rules (see models.queueing).

    Raises NothingWaiting when no ticket waits for this window, Refused or NotFound otherwise.
    """
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        clerk = ready_window(session, window).clerk_code
        day = business_date(moment, settings.timezone)
        ticket = _claim_next(session, settings, window, day)
        if ticket is None:
            raise NothingWaiting("nothing_waiting", window=window)
        _mark_called(session, ticket, window=window, clerk=clerk, moment=moment)
        append_event(
            session,
            kind="called",
            ticket_id=ticket.id,
            window=window,
            clerk_code=clerk,
            at=moment,
            data={"number": ticket.number},
        )
        return view_ticket(session, ticket, tz=settings.timezone)


def _claim_next(
    session: Session, settings: HallSettings, window: int, day: dt.date
) -> Ticket | None:
    targeted = _lock_first(session, _waiting(day).where(Ticket.target_window == window))
    if targeted is not None:
        return targeted
    for queue_id in window_queue_ids(session, window):
        base = _waiting(day).where(
            Ticket.queue_id == queue_id,
            (col(Ticket.target_window).is_(None)) | (Ticket.target_window == window),
        )
        prio = base.where(Ticket.priority != Priority.NORMAL)
        norm = base.where(Ticket.priority == Priority.NORMAL)
        has_prio = session.exec(prio.limit(1)).first() is not None
        has_norm = session.exec(norm.limit(1)).first() is not None
        counter = session.get(DayCounter, (day, queue_id))
        run = counter.priority_run if counter else 0
        choice = pick_priority(
            has_priority=has_prio, has_normal=has_norm, run=run, max_run=settings.priority_run
        )
        if choice is None:
            continue
        first, second = (prio, norm) if choice else (norm, prio)
        ticket = _lock_first(session, first)
        picked_priority = choice
        if ticket is None:  # every candidate of that class is being claimed elsewhere
            ticket, picked_priority = _lock_first(session, second), not choice
        if ticket is None:
            continue
        if counter is not None:
            counter.priority_run = next_run(
                picked_priority=picked_priority, normal_waited=has_norm, run=run
            )
            session.add(counter)
        return ticket
    return None


def _waiting(day: dt.date) -> SelectOfScalar[Ticket]:
    return select(Ticket).where(Ticket.business_date == day, Ticket.status == TicketStatus.WAITING)


def _lock_first(session: Session, query: SelectOfScalar[Ticket]) -> Ticket | None:
    query = query.order_by(col(Ticket.order_key), col(Ticket.id)).limit(1)
    return session.exec(query.with_for_update(skip_locked=True)).first()


def _mark_called(
    session: Session, ticket: Ticket, *, window: int, clerk: str | None, moment: dt.datetime
) -> None:
    """Move a locked ticket to 'called' at a window, guarded by its current status."""
    result = session.execute(
        update(Ticket)
        .where(col(Ticket.id) == ticket.id, col(Ticket.status) == ticket.status)
        .values(
            status=TicketStatus.CALLED,
            window=window,
            clerk_code=clerk,
            called_at=moment,
            started_at=None,
            target_window=None,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        # Unreachable while the row lock is held; refuse rather than hand out a ticket twice.
        raise DatabaseError("db_busy")
    session.refresh(ticket)


def call_number(
    engine: Engine, *, window: int, number: str, now: dt.datetime | None = None
) -> TicketView:
    """Call a given ticket (waiting, or missed and not void) to a window that serves its queue."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        clerk = ready_window(session, window).clerk_code
        ticket = find_ticket(session, number, business_date(moment, settings.timezone), lock=True)
        if ticket.status not in (TicketStatus.WAITING, TicketStatus.MISSED):
            raise refuse_state(ticket, "call")
        if ticket.target_window not in (None, window):
            raise Refused("reserved_for_window", number=ticket.number, target=ticket.target_window)
        served = window_queue_ids(session, window)
        if ticket.queue_id not in served and ticket.target_window != window:
            prefix = ticket.number[0]
            raise Refused("window_not_serving", window=window, queue=prefix)
        _mark_called(session, ticket, window=window, clerk=clerk, moment=moment)
        append_event(
            session,
            kind="called",
            ticket_id=ticket.id,
            window=window,
            clerk_code=clerk,
            at=moment,
            data={"number": ticket.number, "by_number": True},
        )
        return view_ticket(session, ticket, tz=settings.timezone)
