"""What a ticket looks like to people and scripts: number, zone, place in line, estimated wait."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlmodel import Session

from models.hall import HallSettings
from models.lookup import QueueRow, queue_by_id
from models.queue.queueing import Waiting, call_order, estimate_minutes, place_of_newest
from models.queue.ticketrows import C, T, TicketRow, get_run
from models.tables import Pause, Priority, ServiceItem, TicketStatus, Window, WindowQueue
from models.timeutil import local

RECENT_SERVICES = 20
"""How many recent services the mean service time is taken over."""
MIN_SAMPLES = 3
"""Below this many, the queue's configured service time is used."""

P: Table = Pause.__table__  # type: ignore[attr-defined]
W: Table = Window.__table__  # type: ignore[attr-defined]
S: Table = ServiceItem.__table__  # type: ignore[attr-defined]
WQ: Table = WindowQueue.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class TicketView:
    """A ticket as shown on a screen or printed as JSON (the README documents the shape)."""

    number: str
    queue: str
    queue_name_zh: str
    queue_name_en: str
    item: str | None
    priority: str
    status: str
    ahead: int | None
    """Tickets of the same queue to be called before this one (waiting tickets only)."""
    eta_minutes: int | None
    window: int | None
    business_date: str
    issued_at: str
    called_at: str | None
    token: str
    misses: int
    recalls: int
    transferred_from: str | None = None
    clock_behind_s: int = 0
    """Seconds this host's clock was behind the ticket's last step (models.queue.ticketclock): the
    step was stored at that time instead, and the clerk should have the clock fixed."""
    open_windows: int | None = None
    """Windows of the ticket's zone open now (a clerk in, no pause), for a waiting ticket: with
    none open the estimated wait means nothing, and the kiosk and the paper say so instead."""
    item_name_zh: str | None = None
    """The chosen service item's name (None: a zone was chosen, not an item)."""
    item_name_en: str | None = None
    materials: tuple[str, ...] = ()
    """The documents to bring for the chosen item (所需材料), from the hall file."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object for ``--json`` output."""
        return asdict(self)


_NUMBER = select(T.c.number).where(T.c.id == bindparam("ticket_id"))


def view_ticket(session: Session, ticket: TicketRow, *, settings: HallSettings) -> TicketView:
    """Describe a ticket, working out its place in line when it waits."""
    queue = queue_by_id(session, ticket.queue_id)
    ahead = None
    wait: tuple[int | None, int | None] = (None, None)
    if ticket.status == TicketStatus.WAITING:
        ahead = people_ahead(session, ticket, max_run=settings.priority_run)
        wait = _eta(session, queue, ahead)
    parent = None
    if ticket.parent_id is not None:
        parent = session.execute(_NUMBER, {"ticket_id": ticket.parent_id}).scalar()
    return _view(session, ticket, queue, settings, ahead=ahead, wait=wait, parent=parent)


_NEW_COUNTS = select(
    *(
        select(func.count())
        .where(
            T.c.business_date == bindparam("p_day"),
            T.c.queue_id == bindparam("p_queue"),
            T.c.status == TicketStatus.WAITING.value,
            T.c.id != bindparam("p_id"),
            (T.c.priority == Priority.NORMAL.value)
            if normal
            else (T.c.priority != Priority.NORMAL.value),
        )
        .scalar_subquery()
        .label("normal" if normal else "priority")
        for normal in (True, False)
    ),
    select(C.c.priority_run)
    .where(C.c.business_date == bindparam("p_day"), C.c.queue_id == bindparam("p_queue"))
    .scalar_subquery()
    .label("run"),
)


def view_new_ticket(
    session: Session, ticket: TicketRow, *, settings: HallSettings, queue: QueueRow
) -> TicketView:
    """Describe a ticket just issued: it is the newest of its class, so counts give its place."""
    counts = session.execute(
        _NEW_COUNTS, {"p_day": ticket.business_date, "p_queue": queue.id, "p_id": ticket.id}
    ).one()
    ahead = place_of_newest(
        priority_ahead=counts.priority,
        normal_ahead=counts.normal,
        priority=ticket.priority != Priority.NORMAL,
        run=counts.run or 0,
        max_run=settings.priority_run,
    )
    wait = _eta(session, queue, ahead)
    return _view(session, ticket, queue, settings, ahead=ahead, wait=wait, parent=None)


def _eta(session: Session, queue: QueueRow, ahead: int) -> tuple[int, int]:
    """(estimated minutes, windows open for the queue)."""
    windows = open_windows(session, queue.id)
    minutes = estimate_minutes(
        ahead=ahead,
        open_windows=windows,
        mean_service_minutes=mean_service_minutes(session, queue.id, default=queue.service_minutes),
    )
    return minutes, windows


_ITEM = select(S.c.name_zh, S.c.name_en, S.c.materials).where(S.c.code == bindparam("code"))


def _view(
    session: Session,
    ticket: TicketRow,
    queue: QueueRow,
    settings: HallSettings,
    *,
    ahead: int | None,
    wait: tuple[int | None, int | None],
    parent: str | None,
) -> TicketView:
    tz = settings.timezone
    item = None
    if ticket.item_code:
        item = session.execute(_ITEM, {"code": ticket.item_code}).first()
    return TicketView(
        number=ticket.number,
        queue=queue.prefix,
        queue_name_zh=queue.name_zh,
        queue_name_en=queue.name_en,
        item=ticket.item_code,
        priority=str(ticket.priority),
        status=str(ticket.status),
        ahead=ahead,
        eta_minutes=wait[0],
        window=ticket.window if ticket.status != TicketStatus.WAITING else ticket.target_window,
        business_date=ticket.business_date.isoformat(),
        issued_at=_iso(ticket.issued_at, tz),
        called_at=_iso(ticket.called_at, tz) if ticket.called_at else None,
        token=ticket.token,
        misses=ticket.misses,
        recalls=ticket.recalls,
        transferred_from=parent,
        open_windows=wait[1],
        item_name_zh=item.name_zh if item else None,
        item_name_en=item.name_en if item else None,
        materials=tuple(json.loads(item.materials)) if item else (),
    )


def _iso(moment: dt.datetime, tz: str) -> str:
    return local(moment, tz).isoformat(timespec="seconds")


_WAITING_IN_QUEUE = select(T.c.id, T.c.priority, T.c.order_key).where(
    T.c.business_date == bindparam("day"),
    T.c.queue_id == bindparam("queue_id"),
    T.c.status == TicketStatus.WAITING.value,
)


def people_ahead(session: Session, ticket: TicketRow, *, max_run: int) -> int:
    """Waiting tickets of the queue that the order rules call before this one."""
    order = _order(session, ticket, max_run=max_run)
    return order.index(ticket.id) if ticket.id in order else len(order)


_OPEN_WINDOWS = (
    select(func.count())
    .select_from(WQ.join(W, W.c.number == WQ.c.window_number))
    .where(
        WQ.c.queue_id == bindparam("queue_id"),
        W.c.active.is_(True),
        W.c.clerk_code.is_not(None),
        W.c.number.not_in(select(P.c.window_number).where(P.c.ended_at.is_(None))),
    )
)


def open_windows(session: Session, queue_id: int) -> int:
    """Windows serving the queue with a clerk logged in and no pause."""
    return int(session.execute(_OPEN_WINDOWS, {"queue_id": queue_id}).scalar_one())


_RECENT = (
    select(T.c.started_at, T.c.finished_at)
    .where(
        T.c.queue_id == bindparam("queue_id"),
        T.c.status == TicketStatus.DONE.value,
        T.c.finished_at.is_not(None),
    )
    .order_by(T.c.finished_at.desc())
    .limit(RECENT_SERVICES)
)


def mean_service_minutes(session: Session, queue_id: int, *, default: float) -> float:
    """Mean of the queue's recent service times; ``default`` until there is history."""
    rows = session.execute(_RECENT, {"queue_id": queue_id}).all()
    # A clock set back once stored a finish before its start: count it as no time, not less.
    spans = [max((end - start).total_seconds() / 60, 0.0) for start, end in rows if start and end]
    if len(spans) < MIN_SAMPLES:
        return float(default)
    return max(sum(spans) / len(spans), 0.5)


def view_tickets(
    session: Session, tickets: list[TicketRow], *, settings: HallSettings
) -> list[TicketView]:
    """Describe many tickets at once (as :func:`view_ticket` each): each queue's order, open
    windows and service time are read once, however many of its tickets are described."""
    queues: dict[int, QueueRow] = {}
    orders: dict[tuple[dt.date, int], list[int]] = {}
    etas: dict[int, tuple[int, float]] = {}
    parents = {
        i: n
        for i, n in session.execute(
            select(T.c.id, T.c.number).where(
                T.c.id.in_({t.parent_id for t in tickets if t.parent_id is not None})
            )
        ).all()
    }
    views = []
    for ticket in tickets:
        queue = queues.get(ticket.queue_id)
        if queue is None:
            queue = queues[ticket.queue_id] = queue_by_id(session, ticket.queue_id)
        ahead = None
        wait: tuple[int | None, int | None] = (None, None)
        if ticket.status == TicketStatus.WAITING:
            key = (ticket.business_date, ticket.queue_id)
            if key not in orders:
                orders[key] = _order(session, ticket, max_run=settings.priority_run)
            order = orders[key]
            ahead = order.index(ticket.id) if ticket.id in order else len(order)
            if queue.id not in etas:
                etas[queue.id] = (
                    open_windows(session, queue.id),
                    mean_service_minutes(session, queue.id, default=queue.service_minutes),
                )
            windows, mean = etas[queue.id]
            minutes = estimate_minutes(ahead=ahead, open_windows=windows, mean_service_minutes=mean)
            wait = (minutes, windows)
        parent = parents.get(ticket.parent_id) if ticket.parent_id is not None else None
        views.append(_view(session, ticket, queue, settings, ahead=ahead, wait=wait, parent=parent))
    return views


def _order(session: Session, ticket: TicketRow, *, max_run: int) -> list[int]:
    """The waiting tickets of the ticket's queue and day, in call order."""
    rows = session.execute(
        _WAITING_IN_QUEUE, {"day": ticket.business_date, "queue_id": ticket.queue_id}
    ).all()
    return call_order(
        [Waiting(id=i, priority=p != "normal", key=k) for i, p, k in rows],
        run=get_run(session, ticket.business_date, ticket.queue_id),
        max_run=max_run,
    )
