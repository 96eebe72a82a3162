"""Serving a called ticket: recall, no-show, requeue, start, finish, transfer, cancel.

Each operation is one write transaction that changes one ticket (a transfer also issues the
new one) and writes one event.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.db import writing
from models.errors import Refused
from models.events import append_event
from models.hall import hall_settings
from models.lookup import (
    find_ticket,
    get_queue,
    get_window,
    queue_by_id,
    refuse_state,
    require_current,
    window_queue_ids,
)
from models.queueing import front_key, requeue_key
from models.tables import OPEN_STATUSES, DayCounter, Ticket, TicketStatus
from models.tickets import issue
from models.timeutil import business_date, resolve_now
from models.views import TicketView, view_ticket


class WindowOp(Protocol):
    """An operation on a window's current ticket (recall, no-show, start, finish)."""

    def __call__(
        self, engine: Engine, *, window: int, now: dt.datetime | None = None
    ) -> TicketView: ...


def _finish_op(
    session: Session, ticket: Ticket, kind: str, moment: dt.datetime, **data: object
) -> TicketView:
    session.add(ticket)
    session.flush()
    append_event(
        session,
        kind=kind,
        ticket_id=ticket.id,
        window=ticket.window,
        clerk_code=ticket.clerk_code,
        at=moment,
        data={"number": ticket.number, **data},
    )
    return view_ticket(session, ticket, tz=hall_settings(session).timezone)


def recall(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """Call the window's current ticket again (the board speaks it again)."""
    moment = resolve_now(now)
    with writing(engine) as session:
        ticket = require_current(session, window)
        if ticket.status != TicketStatus.CALLED:
            raise refuse_state(ticket, "recall")
        ticket.recalls += 1
        return _finish_op(session, ticket, "recalled", moment, recalls=ticket.recalls)


def mark_no_show(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """The called citizen did not come: missed, or void after the hall's maximum misses."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        ticket = require_current(session, window)
        if ticket.status != TicketStatus.CALLED:
            raise refuse_state(ticket, "no-show")
        ticket.misses += 1
        void = ticket.misses >= settings.max_misses
        ticket.status = TicketStatus.VOID if void else TicketStatus.MISSED
        return _finish_op(session, ticket, "missed", moment, misses=ticket.misses, void=void)


def requeue(engine: Engine, *, number: str, now: dt.datetime | None = None) -> TicketView:
    """Put a missed ticket back in line, behind the hall's requeue offset."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        day = business_date(moment, settings.timezone)
        ticket = find_ticket(session, number, day, lock=True)
        if ticket.status == TicketStatus.VOID:
            raise Refused("void_misses", number=ticket.number, misses=ticket.misses)
        if ticket.status != TicketStatus.MISSED:
            raise refuse_state(ticket, "requeue")
        keys = _waiting_keys(session, day, ticket.queue_id)
        counter = session.get(DayCounter, (day, ticket.queue_id))
        ticket.order_key = requeue_key(
            keys, offset=settings.requeue_offset, last_seq=counter.last_seq if counter else 0
        )
        ticket.status = TicketStatus.WAITING
        previous_window = ticket.window
        ticket.window = ticket.clerk_code = None
        ticket.called_at = None
        view = _finish_op(session, ticket, "requeued", moment, from_window=previous_window)
        return view


def _waiting_keys(session: Session, day: dt.date, queue_id: int) -> list[float]:
    return list(
        session.exec(
            select(Ticket.order_key)
            .where(
                Ticket.business_date == day,
                Ticket.queue_id == queue_id,
                Ticket.status == TicketStatus.WAITING,
            )
            .order_by(col(Ticket.order_key))
        ).all()
    )


def start(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """The citizen is at the window: service starts (the service clock runs from here)."""
    moment = resolve_now(now)
    with writing(engine) as session:
        ticket = require_current(session, window)
        if ticket.status != TicketStatus.CALLED:
            raise refuse_state(ticket, "start")
        ticket.status, ticket.started_at = TicketStatus.SERVING, moment
        return _finish_op(session, ticket, "started", moment)


def finish(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """Service is done. A ticket finished without a start is taken to have started when called."""
    moment = resolve_now(now)
    with writing(engine) as session:
        ticket = require_current(session, window)
        if ticket.started_at is None:
            ticket.started_at = ticket.called_at
        ticket.status, ticket.finished_at = TicketStatus.DONE, moment
        return _finish_op(session, ticket, "finished", moment)


def transfer(
    engine: Engine,
    *,
    window: int,
    to_queue: str | None = None,
    to_window: int | None = None,
    now: dt.datetime | None = None,
) -> TicketView:
    """Send the window's citizen to another queue or window with a new, linked ticket.

    The new ticket keeps the priority class and goes to the front of its queue; a transfer to a
    window reserves it for that window. Returns the new ticket.
    """
    if to_queue is None and to_window is None:
        raise Refused("transfer_target")
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        old = require_current(session, window)
        if to_window is not None:
            get_window(session, to_window)
            served = window_queue_ids(session, to_window)
            if to_queue is not None:
                queue = get_queue(session, to_queue)
                if queue.id not in served:
                    raise Refused("window_not_serving", window=to_window, queue=queue.prefix)
            else:
                queue_id = old.queue_id if old.queue_id in served else served[0]
                queue = queue_by_id(session, queue_id)
        else:
            assert to_queue is not None
            queue = get_queue(session, to_queue)
        if queue.id == old.queue_id and to_window in (None, window):
            raise Refused("transfer_same")
        day = business_date(moment, settings.timezone)
        assert queue.id is not None
        new = issue(
            session,
            settings=settings,
            queue=queue,
            moment=moment,
            item_code=None,
            priority=old.priority,
            cap=False,
            order_key=front_key(_waiting_keys(session, day, queue.id)),
            parent_id=old.id,
            target_window=to_window,
        )
        old.status, old.finished_at = TicketStatus.TRANSFERRED, moment
        if old.started_at is None:
            old.started_at = old.called_at
        session.add(old)
        session.flush()
        append_event(
            session,
            kind="transferred",
            ticket_id=old.id,
            window=window,
            clerk_code=old.clerk_code,
            at=moment,
            data={
                "number": old.number,
                "new_ticket_id": new.id,
                "new_number": new.number,
                "to_queue": queue.prefix,
                "to_window": to_window,
            },
        )
        return view_ticket(session, new, tz=settings.timezone)


def cancel(
    engine: Engine,
    *,
    window: int | None = None,
    number: str | None = None,
    now: dt.datetime | None = None,
) -> TicketView:
    """Cancel the window's current ticket, or any open ticket of today by its number."""
    moment = resolve_now(now)
    with writing(engine) as session:
        if number is not None:
            day = business_date(moment, hall_settings(session).timezone)
            ticket = find_ticket(session, number, day, lock=True)
        else:
            if window is None:
                raise Refused("cancel_target")
            ticket = require_current(session, window)
        if ticket.status not in OPEN_STATUSES:
            raise refuse_state(ticket, "cancel")
        ticket.status, ticket.finished_at = TicketStatus.CANCELLED, moment
        return _finish_op(session, ticket, "cancelled", moment)
