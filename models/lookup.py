"""Finding queues, items, windows and tickets by the names people use, with clear refusals."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.errors import NotFound, Refused
from models.messages import ACTION_ZH, STATUS_ZH
from models.tables import (
    AT_WINDOW_STATUSES,
    Pause,
    Queue,
    ServiceItem,
    Ticket,
    TicketStatus,
    Window,
    WindowQueue,
)

_NUMBER_RE = re.compile(r"^([A-Z])(\d{1,4})$")


def format_number(prefix: str, seq: int) -> str:
    """The display number: prefix and at least three digits (M023)."""
    return f"{prefix}{seq:03d}"


def parse_number(number: str) -> tuple[str, int]:
    """'m23' or 'M023' → ('M', 23). Raises NotFound for anything else."""
    m = _NUMBER_RE.match(number.strip().upper())
    if not m:
        raise NotFound("bad_number", number=number)
    return m[1], int(m[2])


def get_queue(session: Session, prefix: str) -> Queue:
    """An active queue by its prefix letter (any case)."""
    queue = session.exec(
        select(Queue).where(Queue.prefix == prefix.strip().upper(), col(Queue.active))
    ).first()
    if queue is None:
        raise NotFound("unknown_queue", queue=prefix)
    return queue


def queue_by_id(session: Session, queue_id: int) -> Queue:
    """A queue row known to exist."""
    queue = session.get(Queue, queue_id)
    assert queue is not None, f"ticket refers to queue {queue_id}"
    return queue


def get_item(session: Session, code: str) -> ServiceItem:
    """An active service item by its code (any case)."""
    item = session.exec(
        select(ServiceItem).where(ServiceItem.code == code.strip().upper(), col(ServiceItem.active))
    ).first()
    if item is None:
        raise NotFound("unknown_item", item=code)
    return item


def get_window(session: Session, number: int) -> Window:
    """An active window by its number."""
    window = session.get(Window, number)
    if window is None or not window.active:
        raise NotFound("unknown_window", window=number)
    return window


def window_queue_ids(session: Session, number: int) -> list[int]:
    """The queues a window serves, in its order of preference."""
    rows = session.exec(
        select(WindowQueue.queue_id)
        .where(WindowQueue.window_number == number)
        .order_by(col(WindowQueue.position))
    ).all()
    return list(rows)


def open_pause(session: Session, number: int) -> Pause | None:
    """The window's pause in progress, if any."""
    return session.exec(
        select(Pause).where(Pause.window_number == number, col(Pause.ended_at).is_(None))
    ).first()


def current_ticket(session: Session, number: int, *, lock: bool = False) -> Ticket | None:
    """The ticket called to or being served at a window."""
    query = select(Ticket).where(
        Ticket.window == number, col(Ticket.status).in_(AT_WINDOW_STATUSES)
    )
    if lock:
        query = query.with_for_update()
    return session.exec(query.order_by(col(Ticket.id).desc())).first()


def require_current(session: Session, number: int) -> Ticket:
    """The window's current ticket, locked; Refused when there is none."""
    get_window(session, number)
    ticket = current_ticket(session, number, lock=True)
    if ticket is None:
        raise Refused("no_current", window=number)
    return ticket


def find_ticket(session: Session, number: str, day: dt.date, *, lock: bool = False) -> Ticket:
    """A ticket by its display number on a business date."""
    prefix, seq = parse_number(number)
    query = (
        select(Ticket)
        .join(Queue, col(Queue.id) == Ticket.queue_id)
        .where(Queue.prefix == prefix, Ticket.business_date == day, Ticket.seq == seq)
    )
    if lock:
        query = query.with_for_update(of=Ticket)
    ticket = session.exec(query).first()
    if ticket is None:
        raise NotFound("unknown_number", number=format_number(prefix, seq))
    return ticket


def refuse_state(ticket: Ticket, action: str) -> Refused:
    """The refusal for an action the ticket's status does not allow."""
    return Refused(
        "wrong_state",
        number=ticket.number,
        status=ticket.status,
        status_zh=STATUS_ZH.get(ticket.status, ticket.status),
        action=action,
        action_zh=ACTION_ZH.get(action, action),
    )


def count_waiting(session: Session, day: dt.date) -> dict[int, int]:
    """Waiting tickets per queue id on a business date."""
    rows = session.exec(
        select(Ticket.queue_id, func.count())
        .where(Ticket.business_date == day, Ticket.status == TicketStatus.WAITING)
        .group_by(col(Ticket.queue_id))
    ).all()
    return {queue_id: count for queue_id, count in rows}
