"""What a counter shows for its window: the current ticket, the lines it calls from, the day.

One read transaction; every query is served by an index on the window or on today's tickets,
so a counter can re-read it whenever the hall changes (:func:`models.events.last_event_seq`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import Engine, Table, bindparam, func, select
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from models.db import reading
from models.events import head_seq
from models.hall import hall_settings
from models.lookup import (
    get_item,
    get_window,
    last_finished,
    missed_numbers,
    open_pause,
    queue_by_id,
)
from models.queue.ticketrows import T, TicketRow, at_window, fetch
from models.tables import (
    Case,
    Clerk,
    Event,
    Queue,
    Rating,
    TicketStatus,
    Window,
    WindowQueue,
)
from models.timeutil import business_date, from_local, local, resolve_now
from models.views.status import QueueState, waiting_lines

E: Table = Event.__table__  # type: ignore[attr-defined]
W: Table = Window.__table__  # type: ignore[attr-defined]
WQ: Table = WindowQueue.__table__  # type: ignore[attr-defined]
AMBER_SHARE = 0.8
"""The service clock turns amber at this share of the item's time limit, red at the limit."""


@dataclass(frozen=True)
class CurrentTicket:
    """The ticket at the window (called or being served), with what the clerk needs."""

    number: str
    status: str
    """called or serving."""
    queue: str
    queue_name_zh: str
    queue_name_en: str
    item: str | None
    item_zh: str | None
    item_en: str | None
    materials: list[str]
    priority: str
    issued_at: dt.datetime
    called_at: dt.datetime
    started_at: dt.datetime | None
    limit_minutes: int
    """The item's service time limit (the queue's when the ticket names no item)."""
    promised_days: int
    """Working days promised for the item: finishing opens a case and prints its receipt."""
    recalls: int
    misses: int
    transferred_from: str | None

    @property
    def waited_minutes(self) -> int:
        """How long the citizen waited before being called."""
        return max(int((self.called_at - self.issued_at).total_seconds() // 60), 0)

    def service_seconds(self, now: dt.datetime) -> int:
        """The service clock: from the start (or the call, before a start) to now."""
        return max(int((now - (self.started_at or self.called_at)).total_seconds()), 0)

    def clock_level(self, now: dt.datetime) -> str:
        """ok, amber (past 80 % of the limit) or red (past the limit)."""
        seconds, limit = self.service_seconds(now), self.limit_minutes * 60
        if limit and seconds >= limit:
            return "red"
        if limit and seconds >= limit * AMBER_SHARE:
            return "amber"
        return "ok"


@dataclass(frozen=True)
class DayFigures:
    """This window today."""

    served: int
    no_shows: int
    mean_service_minutes: float | None


@dataclass(frozen=True)
class LastFinished:
    """The ticket this window finished last today, and its case if it has one."""

    number: str
    item: str | None
    instant: bool
    case_number: str | None
    pickup_code: str | None
    promised_date: dt.date | None
    rated: bool = False
    """The citizen has rated it (好差评): the counter waiting for the rating calls the next."""


@dataclass(frozen=True)
class WindowView:
    """Everything the counter screen shows for one window."""

    number: int
    label_zh: str
    label_en: str
    clerk: str | None
    clerk_name: str | None
    paused: str | None
    """The pause reason while paused."""
    paused_since: dt.datetime | None
    current: CurrentTicket | None
    queues: list[QueueState]
    missed: list[str]
    """Today's missed tickets (not void) of the queues served here: the ones requeue can take."""
    figures: DayFigures
    last_finished: LastFinished | None
    mark: int
    """The hall's change mark when this was read (see :func:`models.events.last_event_seq`)."""
    timezone: str
    """The hall's time zone (the counter shows local time)."""
    transfer_queues: list[tuple[str, str, str]] = field(default_factory=list)
    """Every open queue (prefix, Chinese name, English name), for the transfer dialog."""
    transfer_windows: list[TransferWindow] = field(default_factory=list)
    """Every other active window, for the transfer dialog."""


@dataclass(frozen=True)
class TransferWindow:
    """A window a ticket can be sent to: its zones and whether a clerk is there."""

    number: int
    prefixes: str
    """The zones it calls from, in order ("MC")."""
    clerk: str | None


_DONE_TODAY = select(T.c.started_at, T.c.finished_at).where(
    T.c.window == bindparam("window"),
    T.c.business_date == bindparam("day"),
    T.c.status == TicketStatus.DONE.value,
)
R: Table = Rating.__table__  # type: ignore[attr-defined]
_RATED = select(R.c.id).where(R.c.ticket_id == bindparam("ticket"))
_NO_SHOWS = select(func.count()).where(
    E.c.window == bindparam("window"), E.c.kind == "missed", E.c.at >= bindparam("since")
)


def window_view(engine: Engine, *, window: int, now: dt.datetime | None = None) -> WindowView:
    """Read a window's state for its counter. NotFound for an unknown window."""
    moment = resolve_now(now)
    with reading(engine) as session:
        mark = head_seq(session)
        settings = hall_settings(session)
        tz = settings.timezone
        day = business_date(moment, tz)
        row = get_window(session, window)
        clerk = session.get(Clerk, row.clerk_code) if row.clerk_code else None
        pause = open_pause(session, window)
        served_ids = [
            wq.queue_id
            for wq in session.exec(
                orm_select(WindowQueue)
                .where(WindowQueue.window_number == window)
                .order_by(col(WindowQueue.position))
            )
        ]
        queues = [session.get(Queue, i) for i in served_ids]
        lines = waiting_lines(session, settings, [q for q in queues if q], day=day, moment=moment)
        current = at_window(session, window)
        missed = missed_numbers(session, day, served_ids)
        all_queues = session.exec(
            orm_select(Queue).where(col(Queue.active)).order_by(col(Queue.position))
        ).all()
        return WindowView(
            number=window,
            label_zh=row.label_zh,
            label_en=row.label_en,
            clerk=row.clerk_code,
            clerk_name=clerk.name if clerk else None,
            paused=pause.reason if pause else None,
            paused_since=local(pause.started_at, tz) if pause else None,
            current=_current(session, current, tz) if current else None,
            queues=lines,
            missed=missed,
            figures=_figures(session, window, day, from_local(day, dt.time(0), tz)),
            last_finished=_last_finished(session, window, day),
            mark=mark,
            timezone=tz,
            transfer_queues=[(q.prefix, q.name_zh, q.name_en) for q in all_queues],
            transfer_windows=_other_windows(session, window, {q.id: q.prefix for q in all_queues}),
        )


_WINDOWS = (
    select(W.c.number, W.c.clerk_code, WQ.c.queue_id)
    .select_from(W.outerjoin(WQ, WQ.c.window_number == W.c.number))
    .where(W.c.active.is_(True))
    .order_by(W.c.number, WQ.c.position)
)


def _other_windows(
    session: Session, window: int, prefixes: dict[int | None, str]
) -> list[TransferWindow]:
    found: dict[int, tuple[str | None, list[str]]] = {}
    for number, clerk, queue_id in session.execute(_WINDOWS):
        if number != window:
            entry = found.setdefault(int(number), (clerk, []))
            if queue_id in prefixes:
                entry[1].append(prefixes[queue_id])
    return [TransferWindow(n, "".join(p), c) for n, (c, p) in found.items()]


def _current(session: Session, ticket: TicketRow, tz: str) -> CurrentTicket:
    queue = queue_by_id(session, ticket.queue_id)
    item = get_item(session, ticket.item_code) if ticket.item_code else None
    parent = fetch(session, T.c.id == ticket.parent_id) if ticket.parent_id else None
    limit = (item.service_minutes if item and item.service_minutes else None) or (
        queue.service_minutes
    )
    assert ticket.called_at is not None, "a ticket at a window has been called"
    return CurrentTicket(
        number=ticket.number,
        status=ticket.status,
        queue=queue.prefix,
        queue_name_zh=queue.name_zh,
        queue_name_en=queue.name_en,
        item=item.code if item else None,
        item_zh=item.name_zh if item else None,
        item_en=item.name_en if item else None,
        materials=json.loads(item.materials) if item else [],
        priority=ticket.priority,
        issued_at=local(ticket.issued_at, tz),
        called_at=local(ticket.called_at, tz),
        started_at=local(ticket.started_at, tz) if ticket.started_at else None,
        limit_minutes=limit,
        promised_days=item.promised_days if item else 0,
        recalls=ticket.recalls,
        misses=ticket.misses,
        transferred_from=parent.number if parent else None,
    )


def _figures(session: Session, window: int, day: dt.date, since: dt.datetime) -> DayFigures:
    spans = [
        max((end - start).total_seconds() / 60, 0.0)  # a finish stored before its start: none
        for start, end in session.execute(_DONE_TODAY, {"window": window, "day": day})
        if start and end
    ]
    no_shows = session.execute(_NO_SHOWS, {"window": window, "since": since}).scalar() or 0
    return DayFigures(
        served=len(spans),
        no_shows=int(no_shows),
        mean_service_minutes=sum(spans) / len(spans) if spans else None,
    )


def _last_finished(session: Session, window: int, day: dt.date) -> LastFinished | None:
    row = last_finished(session, window, day)
    if row is None:
        return None
    case = session.exec(
        orm_select(Case).where(Case.ticket_id == row.id).order_by(col(Case.id).desc())
    ).first()
    item = get_item(session, row.item_code) if row.item_code else None
    return LastFinished(
        number=row.number,
        item=row.item_code,
        instant=bool(item and not item.promised_days),
        case_number=case.case_number if case else None,
        pickup_code=case.pickup_code if case else None,
        promised_date=case.promised_date if case else None,
        rated=session.execute(_RATED, {"ticket": row.id}).first() is not None,
    )
