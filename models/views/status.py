"""The hall at a glance: waiting per queue and each window's state (``mashangban status``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.clerks.lockout import current_locks
from models.db import reading
from models.hall import HallSettings, hall_settings
from models.queue.queueing import Waiting, call_order
from models.tables import (
    AT_WINDOW_STATUSES,
    Clerk,
    DayCounter,
    Pause,
    Queue,
    Ticket,
    TicketStatus,
    Window,
    WindowQueue,
)
from models.timeutil import business_date, local, resolve_now

NEXT_SHOWN = 3


@dataclass(frozen=True)
class QueueState:
    """One queue today."""

    prefix: str
    name_zh: str
    name_en: str
    waiting: int
    issued: int
    """Citizens who took a number in this queue today, counted as the reports count them
    (models.reports.report): a transfer's ticket is not issued again, so a transferred citizen
    counts once, in the queue first taken (the day counter also counts the numbers transfers
    took, never shown when the citizen keeps theirs)."""
    longest_wait_minutes: int
    wait_limit_minutes: int
    next: list[str] = field(default_factory=list)
    """The next numbers in call order."""


@dataclass(frozen=True)
class WindowState:
    """One window now."""

    number: int
    label_zh: str
    queues: list[str]
    clerk: str | None
    """The clerk's number (None: nobody logged in)."""
    state: str
    """called or serving (a citizen is at the window), else closed (no clerk), paused or idle."""
    ticket: str | None
    since: str | None
    """When the ticket was called, or the pause began (local time)."""
    pause_reason: str | None
    """The code or words of the window's pause (words.word("pause", …) says it): with state
    paused, why it calls nobody; with called or serving, the clerk paused while a citizen was at
    the window, so it calls nobody after this one. None when not paused, or when nobody is logged
    in (a pause left open by a logout is the next clerk's to end: the window is closed now)."""
    clerk_name: str | None = None
    """The logged-in clerk's name, as registered."""


@dataclass(frozen=True)
class LockedState:
    """A clerk number or place locked by wrong PINs (see :mod:`models.clerks.lockout`)."""

    kind: str
    """clerk or place."""
    name: str
    until: str
    """When the lock ends (local time)."""
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class HallStatus:
    """Everything ``status`` shows."""

    business_date: str
    now: str
    queues: list[QueueState]
    windows: list[WindowState]
    locked: list[LockedState] = field(default_factory=list)
    """Clerk numbers and places locked by wrong PINs now: a supervisor looks, and unlocks."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object for ``status --json``."""
        return asdict(self)


def waiting_lines(
    session: Session,
    settings: HallSettings,
    queues: Sequence[Queue],
    *,
    day: dt.date,
    moment: dt.datetime,
) -> list[QueueState]:
    """Today's line of each of these queues: waiting, issued, longest wait, the next numbers."""
    ids = [queue.id for queue in queues]
    waiting_rows = session.execute(
        sa_select(
            col(Ticket.queue_id),
            col(Ticket.id),
            col(Ticket.priority),
            col(Ticket.order_key),
            col(Ticket.number),
            col(Ticket.issued_at),
        ).where(
            col(Ticket.business_date) == day,
            col(Ticket.status) == TicketStatus.WAITING,
            col(Ticket.queue_id).in_(ids),
        )
    ).all()
    issued = dict(
        session.execute(
            sa_select(col(Ticket.queue_id), func.count())
            .where(
                col(Ticket.business_date) == day,
                col(Ticket.queue_id).in_(ids),
                col(Ticket.parent_id).is_(None),
            )
            .group_by(col(Ticket.queue_id))
        ).all()
    )
    counters = {
        c.queue_id: c
        for c in session.exec(
            select(DayCounter).where(
                DayCounter.business_date == day, col(DayCounter.queue_id).in_(ids)
            )
        ).all()
    }
    states = []
    for queue in queues:
        rows = [r for r in waiting_rows if r[0] == queue.id]
        counter = counters.get(queue.id or 0)
        order = call_order(
            [Waiting(id=r[1] or 0, priority=r[2] != "normal", key=r[3]) for r in rows],
            run=counter.priority_run if counter else 0,
            max_run=settings.priority_run,
        )
        numbers = {r[1]: r[4] for r in rows}
        oldest = min((r[5] for r in rows), default=None)
        states.append(
            QueueState(
                prefix=queue.prefix,
                name_zh=queue.name_zh,
                name_en=queue.name_en,
                waiting=len(rows),
                issued=issued.get(queue.id, 0),
                longest_wait_minutes=int((moment - oldest).total_seconds() // 60) if oldest else 0,
                wait_limit_minutes=queue.wait_limit_minutes,
                next=[numbers[i] for i in order[:NEXT_SHOWN]],
            )
        )
    return states


def hall_status(engine: Engine, *, now: dt.datetime | None = None) -> HallStatus:
    """Read the hall's state in one read transaction (cheap at any history size)."""
    moment = resolve_now(now)
    with reading(engine) as session:
        settings = hall_settings(session)
        tz = settings.timezone
        day = business_date(moment, tz)
        queues = session.exec(
            select(Queue).where(col(Queue.active)).order_by(col(Queue.position))
        ).all()
        queue_states = waiting_lines(session, settings, queues, day=day, moment=moment)
        prefixes = {q.id: q.prefix for q in session.exec(select(Queue)).all()}
        served: dict[int, list[str]] = {}
        for wq in session.exec(select(WindowQueue).order_by(col(WindowQueue.position))).all():
            served.setdefault(wq.window_number, []).append(prefixes[wq.queue_id])
        current = {
            t.window: t
            for t in session.exec(
                select(Ticket).where(col(Ticket.status).in_(AT_WINDOW_STATUSES))
            ).all()
        }
        pauses = {
            p.window_number: p
            for p in session.exec(select(Pause).where(col(Pause.ended_at).is_(None))).all()
        }
        names = dict(session.exec(select(Clerk.code, Clerk.name)).all())
        windows = []
        for w in session.exec(
            select(Window).where(col(Window.active)).order_by(col(Window.number))
        ).all():
            ticket, pause = current.get(w.number), pauses.get(w.number)
            if ticket is None and w.clerk_code is None:
                pause = None  # closed: a pause left open at logout does not make it "paused"
            if ticket is not None:
                state = ticket.status
                since = ticket.started_at if state == "serving" else ticket.called_at
            elif pause is not None:
                state, since = "paused", pause.started_at
            else:
                state, since = ("idle" if w.clerk_code else "closed"), None
            windows.append(
                WindowState(
                    number=w.number,
                    label_zh=w.label_zh,
                    queues=served.get(w.number, []),
                    clerk=w.clerk_code,
                    state=state,
                    ticket=ticket.number if ticket else None,
                    since=local(since, tz).isoformat(timespec="seconds") if since else None,
                    pause_reason=pause.reason if pause else None,
                    clerk_name=names.get(w.clerk_code) if w.clerk_code else None,
                )
            )
        locked = [
            LockedState(
                kind=lock.kind,
                name=lock.name,
                until=local(lock.locked_until, tz).isoformat(timespec="seconds"),
                label_zh=lock.label_zh,
                label_en=lock.label_en,
            )
            for lock in current_locks(session, moment)
        ]
        return HallStatus(
            business_date=day.isoformat(),
            now=local(moment, tz).isoformat(timespec="seconds"),
            queues=queue_states,
            windows=windows,
            locked=locked,
        )
