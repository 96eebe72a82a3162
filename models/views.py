"""What a ticket looks like to people and scripts: number, zone, place in line, estimated wait."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.hall import hall_settings
from models.lookup import queue_by_id
from models.queueing import Waiting, call_order, estimate_minutes
from models.tables import DayCounter, Pause, Queue, Ticket, TicketStatus, Window, WindowQueue
from models.timeutil import local

RECENT_SERVICES = 20
"""How many recent services the mean service time is taken over."""
MIN_SAMPLES = 3
"""Below this many, the queue's configured service time is used."""


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

    def to_json(self) -> dict[str, Any]:
        """The JSON object for ``--json`` output."""
        return asdict(self)


def view_ticket(session: Session, ticket: Ticket, *, tz: str) -> TicketView:
    """Describe a ticket, working out its place in line when it waits."""
    queue = queue_by_id(session, ticket.queue_id)
    ahead = eta = None
    if ticket.status == TicketStatus.WAITING:
        ahead = people_ahead(session, ticket, queue)
        eta = estimate_minutes(
            ahead=ahead,
            open_windows=open_windows(session, queue),
            mean_service_minutes=mean_service_minutes(session, queue),
        )
    parent = session.get(Ticket, ticket.parent_id) if ticket.parent_id else None
    return TicketView(
        number=ticket.number,
        queue=queue.prefix,
        queue_name_zh=queue.name_zh,
        queue_name_en=queue.name_en,
        item=ticket.item_code,
        priority=str(ticket.priority),
        status=str(ticket.status),
        ahead=ahead,
        eta_minutes=eta,
        window=ticket.window if ticket.status != TicketStatus.WAITING else ticket.target_window,
        business_date=ticket.business_date.isoformat(),
        issued_at=_iso(ticket.issued_at, tz),
        called_at=_iso(ticket.called_at, tz) if ticket.called_at else None,
        token=ticket.token,
        misses=ticket.misses,
        recalls=ticket.recalls,
        transferred_from=parent.number if parent else None,
    )


def _iso(moment: dt.datetime, tz: str) -> str:
    return local(moment, tz).isoformat(timespec="seconds")


def people_ahead(session: Session, ticket: Ticket, queue: Queue) -> int:
    """Waiting tickets of the queue that the order rules call before this one."""
    rows = session.exec(
        select(Ticket.id, Ticket.priority, Ticket.order_key).where(
            Ticket.business_date == ticket.business_date,
            Ticket.queue_id == ticket.queue_id,
            Ticket.status == TicketStatus.WAITING,
        )
    ).all()
    counter = session.get(DayCounter, (ticket.business_date, ticket.queue_id))
    order = call_order(
        [Waiting(id=i, priority=p != "normal", key=k) for i, p, k in rows if i is not None],
        run=counter.priority_run if counter else 0,
        max_run=hall_settings(session).priority_run,
    )
    return order.index(ticket.id) if ticket.id in order else len(order)


def open_windows(session: Session, queue: Queue) -> int:
    """Windows serving the queue with a clerk logged in and no pause."""
    paused = select(Pause.window_number).where(col(Pause.ended_at).is_(None))
    count = session.exec(
        select(func.count())
        .select_from(WindowQueue)
        .join(Window, col(Window.number) == WindowQueue.window_number)
        .where(
            WindowQueue.queue_id == queue.id,
            col(Window.active),
            col(Window.clerk_code).is_not(None),
            col(Window.number).not_in(paused),
        )
    ).one()
    return int(count)


def mean_service_minutes(session: Session, queue: Queue) -> float:
    """Mean of the queue's recent service times; the configured time until there is history."""
    rows = session.exec(
        select(Ticket.started_at, Ticket.finished_at)
        .where(
            Ticket.queue_id == queue.id,
            Ticket.status == TicketStatus.DONE,
            col(Ticket.finished_at).is_not(None),
        )
        .order_by(col(Ticket.finished_at).desc())
        .limit(RECENT_SERVICES)
    ).all()
    spans = [(end - start).total_seconds() / 60 for start, end in rows if start and end]
    if len(spans) < MIN_SAMPLES:
        return float(queue.service_minutes)
    return max(sum(spans) / len(spans), 0.5)
