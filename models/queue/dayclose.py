"""The day's end: tickets of past business dates still open are closed, each with its event.

Numbers restart every business date, so a ticket left open when the date changes can no longer
be called, requeued or cancelled by its number ("no ticket M002 today"); left alone it would
stay open forever. :func:`close_past_days` closes them:

- **waiting** → ``expired`` (过期未办): the citizen was never called; reports count them in
  their own column (过期), beside the no-shows;
- **missed** → ``void`` (作废): the no-show can no longer be requeued, so it is final; it stays
  what reports already counted it as, a no-show (未到), rather than moving out of that figure;
- **called** or **serving** → ``expired``, but only once the ticket's last step (its start, or
  its call) is more than :data:`AT_WINDOW_GRACE` old. A clerk serving a citizen at 23:59 wants
  to finish (or transfer, or mark the no-show of) that citizen at 00:10 as usual, with the real
  service time, not find the ticket gone from the desk because a kiosk issued the first ticket
  of the new day; a ticket forgotten at a window overnight is closed the next morning, which
  frees the window.

A closed ticket keeps its times and gets no finish time (it was not finished: reports count no
service for it); its event's time is when it was closed.

Each ticket is one guarded update (``WHERE status = <as read>``) and one ``expired`` event (with
the status it had and the one it got), in short transactions of :data:`BATCH` tickets, so kiosks
and counters are never held up for long. It is idempotent and safe to run from several processes
at once: on PostgreSQL each batch takes its rows with ``FOR UPDATE SKIP LOCKED`` (two closers
share the work, and a row a clerk is finishing right now is left for the next run); on SQLite
the write transaction excludes other writers. Lock order as everywhere: ticket rows, then the
chain head (the event) last.

A wrong clock must never close the real day. Two guards, both before anything is closed:

- **a clock ahead** (:func:`models.queue.ticketclock.clock_ahead_s`): this host's clock is compared
  with the database's own (``now()`` on PostgreSQL, the server's host; on SQLite the database
  is on this host and shares its clock). A host a day ahead would otherwise take "tomorrow's"
  first number and expire every waiting citizen of the real today; the whole run is refused
  (``dayclose_clock_ahead``), and ``--force`` does not lift it: the clock must be set right.
- **a day still active**: a date whose tickets show a step (taken, called, started, finished)
  less than :data:`QUIET` before now is held, not closed: a clock ahead by a few hours across
  midnight (or a hall still serving late) leaves the day alone. A genuinely finished day has
  been quiet for longer and is closed by the next first number or by ``close-day``; a supervisor
  who knows the day is over (a hall open around the clock) closes it with ``close-day --force``.

It runs when the first ticket of a queue is issued on a business date (models.queue.tickets: the day
counter's first number is the marker, so the hot path pays nothing else), and from
``mashangban close-day`` (for cron, e.g. at 03:00, which also closes tickets left at a window).
Both also mark the bookings not checked in by the end of their late check-in window as no-shows
(爽约, :func:`models.queue.bookingcare.mark_no_shows`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, or_, select, update
from sqlmodel import Session

from models.db import reading, writing
from models.errors import MashangbanError, Refused
from models.events import append_event
from models.hall import hall_settings
from models.notify.notices import forget_numbers
from models.queue.ticketclock import clock_ahead_s, step_time
from models.queue.ticketrows import T
from models.tables import TicketStatus
from models.timeutil import business_date, local, resolve_now, to_utc

AT_WINDOW_GRACE = dt.timedelta(hours=3)
"""A ticket called or being served across midnight stays its clerk's for this long."""
QUIET = dt.timedelta(hours=2)
"""A past day with a ticket step newer than this is still active: it is not closed yet."""
BATCH = 200
"""Tickets closed per write transaction."""
FIRST_NUMBER_LIMIT = BATCH
"""Tickets the first number of a queue on a day closes at most (one transaction: 0.08 s on
SQLite, 0.17 s on PostgreSQL, measured), so that its citizen is not kept waiting long by a
backlog (the first day after an upgrade, say): the next queue's first number, or
``mashangban close-day``, closes the rest."""

CLOSES_TO = {
    TicketStatus.WAITING.value: TicketStatus.EXPIRED.value,
    TicketStatus.CALLED.value: TicketStatus.EXPIRED.value,
    TicketStatus.SERVING.value: TicketStatus.EXPIRED.value,
    TicketStatus.MISSED.value: TicketStatus.VOID.value,
}
"""What each open status becomes at the day's end."""

_AT_WINDOW = (TicketStatus.CALLED.value, TicketStatus.SERVING.value)

# The open tickets of past days, oldest first: a seek per status on ix_ticket_status_window
# (only today's open tickets and the ones to close are there), never a walk through history.
_CANDIDATES = (
    select(T.c.id, T.c.status, T.c.business_date)
    .where(
        T.c.status.in_(list(CLOSES_TO)),
        T.c.business_date < bindparam("p_today"),
        T.c.id > bindparam("p_after"),
        or_(
            T.c.status.not_in(_AT_WINDOW),
            func.coalesce(T.c.started_at, T.c.called_at) < bindparam("p_cutoff"),
        ),
    )
    .order_by(T.c.id)
    .limit(BATCH)
)
_CANDIDATES_PG = _CANDIDATES.with_for_update(skip_locked=True)
# The past dates with open tickets (a seek per status), then each one's newest step.
_OPEN_DAYS = (
    select(T.c.business_date)
    .where(T.c.status.in_(list(CLOSES_TO)), T.c.business_date < bindparam("p_today"))
    .distinct()
)
_NEWEST_STEPS = select(
    func.max(T.c.issued_at), func.max(T.c.called_at),
    func.max(T.c.started_at), func.max(T.c.finished_at),
).where(T.c.business_date == bindparam("p_day"))  # fmt: skip
_CLOSE = (
    update(T)
    .where(and_(T.c.id == bindparam("p_id"), T.c.status == bindparam("p_from")))
    .values(status=bindparam("p_to"))
    .returning(
        T.c.id, T.c.number, T.c.business_date, T.c.status, T.c.window, T.c.clerk_code,
        T.c.issued_at, T.c.called_at, T.c.started_at, T.c.finished_at,
    )
)  # fmt: skip


@dataclass
class DayClose:
    """What closing found and did."""

    expired: int = 0
    """Tickets closed as expired (过期未办)."""
    voided: int = 0
    """Missed tickets made void (作废)."""
    days: set[dt.date] = field(default_factory=set)
    """The business dates they were of."""
    held: set[dt.date] = field(default_factory=set)
    """Past dates left open because they were still active (a step less than QUIET ago)."""
    no_shows: int = 0
    """Bookings marked as no-shows (their late check-in window closed without a check-in)."""

    @property
    def closed(self) -> int:
        """Every ticket closed."""
        return self.expired + self.voided


def close_past_days(
    engine: Engine,
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    force: bool = False,
) -> DayClose:
    """Close every open ticket of a business date before today (see the module's rules), or
    about ``limit`` of them (whole batches), oldest first. A date still active is held (in
    ``held``), unless ``force``.

    Returns what it closed; running it again at once closes nothing. Raises Refused
    (dayclose_clock_ahead) when this host's clock is ahead of the database's, before closing
    anything; DatabaseError when the database cannot be written (what was closed by then stays
    closed).
    """
    moment = resolve_now(now)
    done = DayClose()
    with reading(engine) as session:  # no write lock for the checks
        _refuse_clock_ahead(session, moment)
        if not force:
            done.held = _active_days(session, moment)
    after = 0  # each ticket is tried once per run, in id order
    while limit is None or done.closed < limit:
        with writing(engine) as session:
            today = business_date(moment, hall_settings(session).timezone)
            pg = session.get_bind().dialect.name == "postgresql"
            params = {"p_today": today, "p_cutoff": moment - AT_WINDOW_GRACE, "p_after": after}
            rows = session.execute(_CANDIDATES_PG if pg else _CANDIDATES, params).all()
            if not rows:
                # Numbers left for text reminders are kept only while their ticket can be
                # called: those of closed days go now (a held day keeps its own).
                forget_numbers(session, before=min({today, *done.held}))
                break
            for ticket_id, status, day in rows:
                after = max(after, ticket_id)
                if day in done.held:
                    continue
                to = CLOSES_TO[status]
                params = {"p_id": ticket_id, "p_from": status, "p_to": to}
                ticket = session.execute(_CLOSE, params).first()
                if ticket is None:
                    continue  # another closer, or the ticket's clerk, was first
                _event(session, ticket, status, moment)
                done.days.add(ticket.business_date)
                if to == TicketStatus.VOID.value:
                    done.voided += 1
                else:
                    done.expired += 1
    # Bookings whose check-in window has closed unused are no-shows (爽约).
    from models.queue.bookingcare import mark_no_shows

    done.no_shows = mark_no_shows(engine, now=moment)
    return done


def _database_now(session: Session) -> dt.datetime:
    value = session.execute(select(func.now())).scalar_one()
    if isinstance(value, str):  # SQLite: CURRENT_TIMESTAMP, UTC text
        value = dt.datetime.fromisoformat(value)
    return to_utc(value)


def _refuse_clock_ahead(session: Session, moment: dt.datetime) -> None:
    reference = _database_now(session)
    ahead = clock_ahead_s(moment, reference)
    if ahead:
        tz = hall_settings(session).timezone
        raise Refused(
            "dayclose_clock_ahead",
            hours=f"{ahead / 3600:.1f}",
            host=local(moment, tz).strftime("%Y-%m-%d %H:%M"),
            db=local(reference, tz).strftime("%Y-%m-%d %H:%M"),
        )


def _active_days(session: Session, moment: dt.datetime) -> set[dt.date]:
    today = business_date(moment, hall_settings(session).timezone)
    held = set()
    for (day,) in session.execute(_OPEN_DAYS, {"p_today": today}).all():
        steps = session.execute(_NEWEST_STEPS, {"p_day": day}).one()
        newest = max((to_utc(t) for t in steps if t is not None), default=None)
        if newest is not None and newest > moment - QUIET:
            held.add(day)
    return held


def _event(session: Session, ticket: Any, was: str, moment: dt.datetime) -> None:
    when = step_time(ticket, moment)
    append_event(
        session,
        kind="expired",
        ticket_id=ticket.id,
        window=ticket.window,
        clerk_code=ticket.clerk_code,
        at=when.at,
        data={
            "number": ticket.number,
            "business_date": ticket.business_date.isoformat(),
            "from": was,
            "status": ticket.status,
            **when.data(),
        },
    )


def close_if_first(engine: Engine, seq: int, moment: dt.datetime) -> None:
    """After the first number of a queue on a business date: close the days before it.

    The ticket is already stored: a database too busy to close now only leaves the closing to
    the next first number or to ``mashangban close-day``, never fails the ticket.
    """
    if seq != 1:
        return
    with suppress(MashangbanError):
        close_past_days(engine, now=moment, limit=FIRST_NUMBER_LIMIT)
