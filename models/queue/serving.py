"""Serving a called ticket: recall, no-show, requeue, start, finish, transfer, cancel.

Each operation is one write transaction that changes one ticket (a transfer also issues the
new one) and writes one event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Protocol

from sqlalchemy import Engine, bindparam, select, update
from sqlmodel import Session

from models.db import retry_conflicts, writing
from models.errors import DatabaseError, Refused
from models.events import append_event
from models.hall import HallSettings, hall_settings
from models.lookup import (
    find_ticket,
    get_queue,
    queue_by_id,
    refuse_state,
    require_current,
    window_clerk,
    window_queue_ids,
)
from models.notify.notices import carry_number, notice_missed, notice_near
from models.queue import ticketrows
from models.queue.queueing import front_key, requeue_key
from models.queue.ticketclock import StepTime, step_time
from models.queue.ticketrows import C, T, TicketRow
from models.queue.tickets import issue
from models.supervision.cases import open_case_at_finish
from models.tables import OPEN_STATUSES, TicketStatus
from models.timeutil import business_date, resolve_now
from models.views.ticket import TicketView, view_ticket


class WindowOp(Protocol):
    """An operation on a window's current ticket (recall, no-show, start, finish)."""

    def __call__(
        self, engine: Engine, *, window: int, now: dt.datetime | None = None
    ) -> TicketView: ...


def _ticket_event(
    session: Session, ticket: TicketRow, kind: str, when: StepTime, **data: Any
) -> None:
    """The one event of an operation on a ticket, at its window, by its clerk (and, when the
    clock was behind the ticket's last step, by how much: models.queue.ticketclock)."""
    append_event(
        session,
        kind=kind,
        ticket_id=ticket.id,
        window=ticket.window,
        clerk_code=ticket.clerk_code,
        at=when.at,
        data={"number": ticket.number, **data, **when.data()},
    )


def _record(
    session: Session,
    settings: HallSettings,
    ticket: TicketRow,
    kind: str,
    when: StepTime,
    **data: Any,
) -> TicketView:
    """Write the operation's event and describe the ticket as it now is."""
    _ticket_event(session, ticket, kind, when, **data)
    return behind(view_ticket(session, ticket, settings=settings), when)


def behind(view: TicketView, when: StepTime) -> TicketView:
    """The view, saying how far behind the clock was when it is worth a warning."""
    return replace(view, clock_behind_s=round(when.behind_s)) if when.warn else view


@retry_conflicts
def recall(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """Call the window's current ticket again (the board speaks it again)."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        ticket = require_current(session, window)
        if ticket.status != TicketStatus.CALLED:
            raise refuse_state(ticket, "recall")
        when = step_time(ticket, moment)
        ticket = ticketrows.change(session, ticket, recalls=ticket.recalls + 1)
        return _record(session, settings, ticket, "recalled", when, recalls=ticket.recalls)


@retry_conflicts
def mark_no_show(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """The called citizen did not come: missed, or void after the hall's maximum misses."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        ticket = require_current(session, window)
        if ticket.status != TicketStatus.CALLED:
            raise refuse_state(ticket, "no-show")
        return _no_show(session, settings, ticket, moment)


def _no_show(
    session: Session, settings: HallSettings, ticket: TicketRow, moment: dt.datetime
) -> TicketView:
    """Mark a locked, called ticket missed (void after the hall's maximum misses)."""
    misses = ticket.misses + 1
    void = misses >= settings.max_misses
    status = TicketStatus.VOID if void else TicketStatus.MISSED
    when = step_time(ticket, moment)
    ticket = ticketrows.change(session, ticket, misses=misses, status=status.value)
    notice_missed(session, ticket, when.at)
    return _record(session, settings, ticket, "missed", when, misses=misses, void=void)


_WAITING_KEYS = (
    select(T.c.order_key)
    .where(
        T.c.business_date == bindparam("day"),
        T.c.queue_id == bindparam("queue_id"),
        T.c.status == TicketStatus.WAITING.value,
    )
    .order_by(T.c.order_key)
)
_LAST_SEQ = select(C.c.last_seq).where(
    C.c.business_date == bindparam("day"), C.c.queue_id == bindparam("queue_id")
)


def _waiting_keys(session: Session, day: dt.date, queue_id: int) -> list[float]:
    return list(session.execute(_WAITING_KEYS, {"day": day, "queue_id": queue_id}).scalars())


@retry_conflicts
def requeue(engine: Engine, *, number: str, now: dt.datetime | None = None) -> TicketView:
    """Put a missed ticket back in line, behind the hall's requeue offset."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        day = business_date(moment, settings.timezone)
        # Lock order (models.db): the queue's day counter (last_seq, the keys) before the ticket.
        ticketrows.lock_counters(session, day, [find_ticket(session, number, day).queue_id])
        ticket = find_ticket(session, number, day, lock=True)
        if ticket.status == TicketStatus.VOID:
            raise Refused("void_misses", number=ticket.number, misses=ticket.misses)
        if ticket.status != TicketStatus.MISSED:
            raise refuse_state(ticket, "requeue")
        params = {"day": day, "queue_id": ticket.queue_id}
        last_seq = session.execute(_LAST_SEQ, params).scalar() or 0
        keys = _waiting_keys(session, day, ticket.queue_id)
        key = requeue_key(keys, offset=settings.requeue_offset, last_seq=last_seq)
        renumbered = 0
        if key in keys or key >= last_seq + 1:
            # Dozens of requeues into one gap have used up a float's precision: space the
            # waiting tickets out again (same order) and place the ticket among the new keys.
            renumbered = _renumber(session, day, ticket.queue_id, last_seq)
            keys = _waiting_keys(session, day, ticket.queue_id)
            key = requeue_key(keys, offset=settings.requeue_offset, last_seq=last_seq)
        previous_window = ticket.window
        when = step_time(ticket, moment)
        ticket = ticketrows.change(
            session,
            ticket,
            status=TicketStatus.WAITING.value,
            order_key=key,
            window=None,
            clerk_code=None,
            called_at=None,
        )
        notice_near(session, settings, day, ticket.queue_id, when.at)
        extra = {"renumbered": renumbered} if renumbered else {}
        return _record(
            session, settings, ticket, "requeued", when, from_window=previous_window, **extra
        )


@retry_conflicts
def put_back(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """Send the window's citizen (called or being served) back to the front of their line.

    For a window that closes with a citizen at it (the clerk logs out or quits): the ticket
    waits again, first in its queue, with no miss counted; the next window of its queue calls
    it. Writes a "requeued" event (``put_back``).
    """
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        # Read unlocked: the queue's day counter is locked before the ticket (models.db).
        seen = ticketrows.at_window(session, window) or require_current(session, window)
        day = seen.business_date
        ticketrows.lock_counters(session, day, [seen.queue_id])
        ticket = require_current(session, window)
        if ticket.id != seen.id:  # the window moved on before the lock: run it again
            raise DatabaseError("db_conflict")
        when = step_time(ticket, moment)
        ticket = ticketrows.change(
            session,
            ticket,
            status=TicketStatus.WAITING.value,
            order_key=front_key(_waiting_keys(session, day, ticket.queue_id)),
            window=None,
            clerk_code=None,
            called_at=None,
            started_at=None,
        )
        notice_near(session, settings, day, ticket.queue_id, when.at)
        return _record(
            session, settings, ticket, "requeued", when, from_window=window, put_back=True
        )


_WAITING_IDS = (
    select(T.c.id)
    .where(
        T.c.business_date == bindparam("day"),
        T.c.queue_id == bindparam("queue_id"),
        T.c.status == TicketStatus.WAITING.value,
    )
    .order_by(T.c.order_key, T.c.id)
)
_SET_KEY = update(T).where(T.c.id == bindparam("p_id")).values(order_key=bindparam("p_key"))


def _renumber(session: Session, day: dt.date, queue_id: int, last_seq: int) -> int:
    """Give a queue's waiting tickets evenly spaced keys below the next number; keeps order."""
    ids = list(session.execute(_WAITING_IDS, {"day": day, "queue_id": queue_id}).scalars())
    spacing = 1 / (len(ids) + 2)
    session.execute(
        _SET_KEY, [{"p_id": i, "p_key": last_seq + (n + 1) * spacing} for n, i in enumerate(ids)]
    )
    return len(ids)


@retry_conflicts
def start(engine: Engine, *, window: int, now: dt.datetime | None = None) -> TicketView:
    """The citizen is at the window: service starts (the service clock runs from here)."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        ticket = require_current(session, window)
        if ticket.status != TicketStatus.CALLED:
            raise refuse_state(ticket, "start")
        when = step_time(ticket, moment)
        ticket = ticketrows.change(
            session, ticket, status=TicketStatus.SERVING.value, started_at=when.at
        )
        return _record(session, settings, ticket, "started", when)


@retry_conflicts
def finish(
    engine: Engine, *, window: int, came: bool | None = None, now: dt.datetime | None = None
) -> TicketView:
    """Service is done: the ticket is counted served (办结).

    ``came`` is what the clerk said of a citizen called but never started: False makes the
    ticket a no-show (missed, or void after the hall's maximum misses; the view says which),
    never served; True (or None, a caller that does not ask) finishes it as served from its
    call. A started ticket is served whatever ``came`` says.
    """
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        current = require_current(session, window)
        if came is False and current.status == TicketStatus.CALLED:
            return _no_show(session, settings, current, moment)
        ticket = finish_ticket(session, current, moment)
        return behind(view_ticket(session, ticket, settings=settings), step_time(current, moment))


def finish_ticket(session: Session, ticket: TicketRow, moment: dt.datetime) -> TicketRow:
    """Mark a locked ticket at a window done and write its event (inside a write transaction).

    An item with promised working days gets its case (办件) in the same transaction. A clock
    behind the ticket's call or start finishes it at that time (models.queue.ticketclock).
    """
    when = step_time(ticket, moment)
    done = ticketrows.change(
        session,
        ticket,
        status=TicketStatus.DONE.value,
        finished_at=when.at,
        started_at=ticket.started_at or ticket.called_at,
    )
    _ticket_event(session, done, "finished", when)
    if done.item_code is not None:
        open_case_at_finish(session, done, when.at, hall_settings(session).timezone)
    return done


@retry_conflicts
def transfer(
    engine: Engine,
    *,
    window: int,
    to_queue: str | None = None,
    to_window: int | None = None,
    now: dt.datetime | None = None,
) -> TicketView:
    """Send the window's citizen to another queue or window with a new, linked ticket.

    The new ticket keeps the priority class and the first ticket's issue time (the citizen's wait
    goes on, it does not start again) and goes to the front of its queue; a transfer to a window
    reserves it for that window. It takes the target queue's next sequence, but shows the number
    the citizen holds unless the hall's ``transfer_number`` is "new" (then the desk prints the new
    number's slip). Returns the new ticket.
    """
    if to_queue is None and to_window is None:
        raise Refused("transfer_target")
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        # Read unlocked: the day counter of the new ticket's queue is locked before it (models.db).
        old = ticketrows.at_window(session, window) or require_current(session, window)
        if to_window is not None:
            window_clerk(session, to_window)
            served = window_queue_ids(session, to_window)
            if to_queue is not None:
                queue = get_queue(session, to_queue)
                if queue.id not in served:
                    raise Refused("window_not_serving", window=to_window, queue=queue.prefix)
            else:
                queue = queue_by_id(session, old.queue_id if old.queue_id in served else served[0])
        else:
            assert to_queue is not None
            queue = get_queue(session, to_queue)
        if queue.id == old.queue_id and to_window in (None, window):
            raise Refused("transfer_same")
        assert queue.id is not None
        when = step_time(old, moment)
        day = business_date(when.at, settings.timezone)
        ticketrows.lock_counters(session, day, [queue.id])
        locked = require_current(session, window)
        if locked.id != old.id:  # the window moved on before the lock: run the transfer again
            raise DatabaseError("db_conflict")
        old = locked
        when = step_time(old, moment)
        new = issue(
            session,
            settings=settings,
            queue=queue,
            moment=when.at,
            item_code=None,
            priority=old.priority,
            cap=False,
            order_key=front_key(_waiting_keys(session, day, queue.id)),
            parent_id=old.id,
            target_window=to_window,
            number=old.number if settings.transfer_number == "keep" else None,
            issued_at=old.issued_at,
        )
        old = ticketrows.change(
            session,
            old,
            status=TicketStatus.TRANSFERRED.value,
            finished_at=when.at,
            started_at=old.started_at or old.called_at,
        )
        _ticket_event(
            session,
            old,
            "transferred",
            when,
            new_ticket_id=new.id,
            new_number=new.number,
            to_queue=queue.prefix,
            to_window=to_window,
            keeps_issued_at=True,  # the new ticket has this one's issue time (the audit replays it)
        )
        carry_number(session, old.id, new.id)  # the citizen's number follows them
        notice_near(session, settings, day, queue.id, when.at)
        return behind(view_ticket(session, new, settings=settings), when)


@retry_conflicts
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
        settings = hall_settings(session)
        if number is not None:
            day = business_date(moment, settings.timezone)
            ticket = find_ticket(session, number, day, lock=True)
        elif window is not None:
            ticket = require_current(session, window)
        else:
            raise Refused("cancel_target")
        if ticket.status not in OPEN_STATUSES:
            raise refuse_state(ticket, "cancel")
        when = step_time(ticket, moment)
        was_waiting = ticket.status == TicketStatus.WAITING
        ticket = ticketrows.change(
            session, ticket, status=TicketStatus.CANCELLED.value, finished_at=when.at
        )
        if was_waiting:  # the people behind it move up
            notice_near(session, settings, ticket.business_date, ticket.queue_id, when.at)
        return _record(session, settings, ticket, "cancelled", when)
