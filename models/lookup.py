"""Finding queues, items, windows and tickets by the names people use, with clear refusals."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.errors import NotFound, Refused
from models.queue.ticketrows import T, TicketRow, at_window, fetch
from models.tables import Pause, Queue, ServiceItem, Ticket, TicketStatus, Window, WindowQueue
from models.text.words import word

Q: Table = Queue.__table__  # type: ignore[attr-defined]
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


@dataclass(frozen=True)
class QueueRow:
    """A queue's configuration as the operations need it."""

    id: int
    prefix: str
    name_zh: str
    name_en: str
    daily_cap: int
    wait_limit_minutes: int
    service_minutes: int
    hours: str


_QUEUE_COLUMNS = [Q.c[name] for name in QueueRow.__dataclass_fields__]
_QUEUE_BY_PREFIX = sa_select(*_QUEUE_COLUMNS).where(
    Q.c.prefix == bindparam("p_prefix"), Q.c.active.is_(True)
)
_QUEUE_BY_ID = sa_select(*_QUEUE_COLUMNS).where(Q.c.id == bindparam("p_id"))


def get_queue(session: Session, prefix: str) -> QueueRow:
    """An active queue by its prefix letter (any case)."""
    row = session.execute(_QUEUE_BY_PREFIX, {"p_prefix": prefix.strip().upper()}).mappings().first()
    if row is None:
        raise NotFound("unknown_queue", queue=prefix)
    return QueueRow(**row)


def queue_by_id(session: Session, queue_id: int) -> QueueRow:
    """A queue row known to exist (tickets and items refer to it)."""
    row = session.execute(_QUEUE_BY_ID, {"p_id": queue_id}).mappings().one()
    return QueueRow(**row)


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


_WINDOW = select(col(Window.active), col(Window.clerk_code)).where(
    col(Window.number) == bindparam("window")
)
_WINDOW_QUEUES = (
    select(col(WindowQueue.queue_id))
    .where(col(WindowQueue.window_number) == bindparam("window"))
    .order_by(col(WindowQueue.position))
)


def window_clerk(session: Session, number: int) -> str | None:
    """The clerk logged in at an active window (None: nobody); NotFound for no such window."""
    row = session.execute(_WINDOW, {"window": number}).first()
    if row is None or not row.active:
        raise NotFound("unknown_window", window=number)
    return row.clerk_code


def window_queue_ids(session: Session, number: int) -> list[int]:
    """The queues a window serves, in its order of preference."""
    return list(session.execute(_WINDOW_QUEUES, {"window": number}).scalars())


_PAUSE_REASON = select(col(Pause.reason)).where(
    col(Pause.window_number) == bindparam("window"), col(Pause.ended_at).is_(None)
)


def pause_reason(session: Session, number: int) -> str | None:
    """Why the window is paused, or None when it is not."""
    return session.execute(_PAUSE_REASON, {"window": number}).scalar()


def open_pause(session: Session, number: int) -> Pause | None:
    """The window's pause in progress, if any."""
    return session.exec(
        select(Pause).where(Pause.window_number == number, col(Pause.ended_at).is_(None))
    ).first()


def require_current(session: Session, number: int) -> TicketRow:
    """The window's current ticket, locked; Refused when there is none."""
    ticket = at_window(session, number, lock=True)
    if ticket is None:
        window_clerk(session, number)  # an unknown window says so first
        raise Refused("no_current", window=number)
    return ticket


def find_ticket(session: Session, number: str, day: dt.date, *, lock: bool = False) -> TicketRow:
    """The newest ticket showing this number on a business date.

    A transfer that keeps the citizen's number (models.queue.serving.transfer) makes a ticket in
    another queue showing it: the citizen is that ticket now, not the first one.
    """
    prefix, seq = parse_number(number)
    shown = format_number(prefix, seq)
    queue_id = select(col(Queue.id)).where(Queue.prefix == prefix).scalar_subquery()
    # The ticket first issued with the number (one index seek) …
    first = fetch(session, T.c.queue_id == queue_id, T.c.business_date == day, T.c.seq == seq)
    if first is None:
        raise NotFound("unknown_number", number=shown)
    # … and any made after it showing it too: the newest is the citizen's ticket now.
    ticket = fetch(
        session,
        T.c.id >= first.id,
        T.c.business_date == day,
        T.c.number == shown,
        order_by=T.c.id.desc(),
        lock=lock,
    )
    assert ticket is not None, "the first ticket shows its own number"
    return ticket


def refuse_state(ticket: TicketRow, action: str) -> Refused:
    """The refusal for an action the ticket's status does not allow."""
    return Refused(
        "wrong_state",
        number=ticket.number,
        status=ticket.status,
        status_zh=word("status", ticket.status),
        action=action,
        action_zh=word("action", action),
    )


def count_waiting(session: Session, day: dt.date) -> dict[int, int]:
    """Waiting tickets per queue id on a business date."""
    rows = session.exec(
        select(Ticket.queue_id, func.count())
        .where(Ticket.business_date == day, Ticket.status == TicketStatus.WAITING)
        .group_by(col(Ticket.queue_id))
    ).all()
    return {queue_id: count for queue_id, count in rows}


_MISSED = (
    sa_select(T.c.number)
    .where(
        T.c.business_date == bindparam("day"),
        T.c.status == TicketStatus.MISSED.value,
        T.c.queue_id.in_(bindparam("queues", expanding=True)),
    )
    .order_by(T.c.queue_id, T.c.seq)
)


def missed_numbers(session: Session, day: dt.date, queue_ids: list[int]) -> list[str]:
    """The missed (过号) numbers of a business date in these queues that may still come back
    (void ones are not missed any more), by queue then sequence."""
    return list(session.execute(_MISSED, {"day": day, "queues": queue_ids}).scalars())


_LAST_FINISHED = (
    sa_select(T.c.id, T.c.number, T.c.item_code)
    .where(
        T.c.window == bindparam("window"),
        T.c.business_date == bindparam("day"),
        T.c.status == TicketStatus.DONE.value,
    )
    .order_by(T.c.finished_at.desc(), T.c.id.desc())
    .limit(1)
)


@dataclass(frozen=True)
class FinishedTicket:
    """The ticket a window finished last on a business date."""

    id: int
    number: str
    item_code: str | None


def last_finished(session: Session, window: int, day: dt.date) -> FinishedTicket | None:
    """The ticket this window finished most recently on this business date; None when none."""
    row = session.execute(_LAST_FINISHED, {"window": window, "day": day}).first()
    return None if row is None else FinishedTicket(row.id, row.number, row.item_code)
