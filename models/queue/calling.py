"""Calling at a window: the one place tickets are claimed.

A ticket is called once. On SQLite every write transaction holds the database's write lock
(``BEGIN IMMEDIATE``) so claims are serial; on PostgreSQL the candidate row is taken with
``FOR UPDATE SKIP LOCKED``, so windows never wait for each other's candidate. Both then update
with ``WHERE status = 'waiting'`` and check that one row changed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, Table, bindparam, select
from sqlmodel import Session

from models.db import retry_conflicts, writing
from models.errors import NotFound, NothingWaiting, Refused
from models.events import append_event
from models.hall import HallSettings, hall_settings
from models.lookup import find_ticket, queue_by_id, refuse_state, window_queue_ids
from models.notify.notices import notice_called, notice_near
from models.queue import ticketrows
from models.queue.queueing import next_run, pick_priority
from models.queue.serving import behind, finish_ticket
from models.queue.ticketclock import StepTime, step_time
from models.queue.ticketrows import T, TicketRow
from models.tables import AT_WINDOW_STATUSES, Pause, TicketStatus, Window
from models.text.words import pause_words, word
from models.timeutil import business_date, resolve_now
from models.views.ticket import TicketView, view_ticket

W: Table = Window.__table__  # type: ignore[attr-defined]
P: Table = Pause.__table__  # type: ignore[attr-defined]
AT_WINDOW = [status.value for status in AT_WINDOW_STATUSES]


_READY = select(
    W.c.active,
    W.c.clerk_code,
    select(P.c.reason)
    .where(P.c.window_number == W.c.number, P.c.ended_at.is_(None))
    .limit(1)
    .scalar_subquery()
    .label("pause_reason"),
    select(T.c.number)
    .where(T.c.window == W.c.number, T.c.status.in_(AT_WINDOW))
    .limit(1)
    .scalar_subquery()
    .label("busy_number"),
    select(T.c.status)
    .where(T.c.window == W.c.number, T.c.status.in_(AT_WINDOW))
    .limit(1)
    .scalar_subquery()
    .label("busy_status"),
).where(W.c.number == bindparam("window"))


def ready_window(session: Session, number: int) -> str:
    """The clerk of a window that may call: a clerk is in, it is not paused, nobody is at it."""
    row = session.execute(_READY, {"window": number}).first()
    if row is None or not row.active:
        raise NotFound("unknown_window", window=number)
    if row.clerk_code is None:
        raise Refused("no_clerk", window=number)
    if row.pause_reason is not None:
        raise Refused("window_paused", window=number, **pause_words(row.pause_reason))
    if row.busy_number is not None:
        raise Refused(
            "window_busy",
            window=number,
            number=row.busy_number,
            status=row.busy_status,
            status_zh=word("status", row.busy_status),
        )
    return str(row.clerk_code)


@retry_conflicts
def call_next(
    engine: Engine,
    *,
    window: int,
    finish_current: bool = False,
    now: dt.datetime | None = None,
) -> TicketView:
    """Call the next ticket for a window by the queue order rules (see models.queue.queueing).

    With ``finish_current`` the window's current ticket is finished first, in the same
    transaction (the counter's "next" key); that finish stands even when nothing waits.
    Raises NothingWaiting when no ticket waits for this window, Refused or NotFound otherwise.
    """
    moment = resolve_now(now)
    view = None
    with writing(engine) as session:
        settings = hall_settings(session)
        finished = StepTime(moment)
        day = business_date(moment, settings.timezone)
        queue_ids = window_queue_ids(session, window)
        # Lock order (models.db): the day counters first, then the current ticket, the claim.
        ticketrows.lock_counters(session, day, queue_ids)
        if finish_current:
            current = ticketrows.at_window(session, window, lock=True)
            if current is not None:
                finish_ticket(session, current, moment)
                finished = step_time(current, moment)
        clerk = ready_window(session, window)
        ticket = _claim_next(
            session, settings, queue_ids, window=window, clerk=clerk, day=day, moment=moment
        )
        if ticket is not None:
            when = step_time(ticket, moment)  # never called before it was issued
            if when.behind_s:
                ticket = ticketrows.change(session, ticket, called_at=when.at)
            append_event(
                session,
                kind="called",
                ticket_id=ticket.id,
                window=window,
                clerk_code=clerk,
                at=when.at,
                data={"number": ticket.number, **when.data()},
            )
            # The citizen's messages, in this transaction (models.notify): called, and the
            # people now near the front of the ticket's queue.
            notice_called(session, ticket, window, when.at)
            notice_near(session, settings, day, ticket.queue_id, when.at)
            view = view_ticket(session, ticket, settings=settings)
            view = behind(view, when if when.behind_s >= finished.behind_s else finished)
    if view is None:
        raise NothingWaiting("nothing_waiting", window=window)
    return view


def _claim_next(
    session: Session,
    settings: HallSettings,
    queue_ids: list[int],
    *,
    window: int,
    clerk: str,
    day: dt.date,
    moment: dt.datetime,
) -> TicketRow | None:
    """Call the ticket this window gets next (see models.queue.queueing), or None.

    The queues' day counters are locked already (PostgreSQL), so the priority run the probe
    reads is the one no other window can change before this transaction writes it back.
    """
    params = {"p_day": day, "p_window": window, "p_clerk": clerk, "p_moment": moment}
    for queue_id in queue_ids:
        qp = {**params, "p_queue": queue_id}
        probe = session.execute(ticketrows.PROBE, qp).one()
        if probe.targeted is not None:
            targeted = ticketrows.call_first(session, ticketrows.CLAIM_TARGETED, **qp)
            if targeted is not None:
                return targeted
        if probe.priority is None and probe.normal is None:
            continue
        run = probe.run or 0
        choice = pick_priority(
            has_priority=probe.priority is not None,
            has_normal=probe.normal is not None,
            run=run,
            max_run=settings.priority_run,
        )
        for priority in (bool(choice), not choice):
            claim = ticketrows.CLAIM_PRIORITY if priority else ticketrows.CLAIM_NORMAL
            ticket = ticketrows.call_first(session, claim, **qp)
            if ticket is None:  # none of that class, or all being claimed elsewhere
                continue
            new_run = next_run(
                picked_priority=priority, normal_waited=probe.normal is not None, run=run
            )
            if new_run != run:
                ticketrows.set_run(session, day, queue_id, new_run)
            return ticket
    return None


def _called(window: int, clerk: str | None, moment: dt.datetime) -> dict[str, object]:
    """The columns a call sets."""
    return {
        "status": TicketStatus.CALLED.value,
        "window": window,
        "clerk_code": clerk,
        "called_at": moment,
        "started_at": None,
        "target_window": None,
    }


@retry_conflicts
def call_number(
    engine: Engine, *, window: int, number: str, now: dt.datetime | None = None
) -> TicketView:
    """Call a given ticket (waiting, or missed and not void) to a window that serves its queue."""
    moment = resolve_now(now)
    with writing(engine) as session:
        settings = hall_settings(session)
        clerk = ready_window(session, window)
        ticket = find_ticket(session, number, business_date(moment, settings.timezone), lock=True)
        if ticket.status not in (TicketStatus.WAITING, TicketStatus.MISSED):
            raise refuse_state(ticket, "call")
        if ticket.target_window not in (None, window):
            raise Refused("reserved_for_window", number=ticket.number, target=ticket.target_window)
        served = window_queue_ids(session, window)
        if ticket.queue_id not in served and ticket.target_window != window:
            # The ticket's queue: a transferred ticket may show another zone's letter.
            queue = queue_by_id(session, ticket.queue_id).prefix
            raise Refused("window_not_serving", window=window, queue=queue)
        when = step_time(ticket, moment)
        called = ticketrows.change(session, ticket, **_called(window, clerk, when.at))
        append_event(
            session,
            kind="called",
            ticket_id=called.id,
            window=window,
            clerk_code=clerk,
            at=when.at,
            data={"number": called.number, "by_number": True, **when.data()},
        )
        notice_called(session, called, window, when.at)
        notice_near(session, settings, called.business_date, called.queue_id, when.at)
        return behind(view_ticket(session, called, settings=settings), when)
