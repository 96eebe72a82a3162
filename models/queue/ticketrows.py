"""Ticket rows on the hot paths (take, call, serve), read and written with SQLAlchemy Core.

The ORM costs several milliseconds per operation in entity loading and flush bookkeeping, all of
it inside the database's write lock; these few statements do the same work in a fraction. The
statements are built once, with bind parameters, so SQLAlchemy's compiled cache serves them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models.errors import DatabaseError
from models.tables import AT_WINDOW_STATUSES, DayCounter, Priority, Ticket, TicketStatus

T: Table = Ticket.__table__  # type: ignore[attr-defined]
C: Table = DayCounter.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class TicketRow:
    """One ticket as stored (the columns of the ticket table)."""

    id: int
    business_date: dt.date
    queue_id: int
    seq: int
    number: str
    item_code: str | None
    priority: str
    status: str
    order_key: float
    issued_at: dt.datetime
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    window: int | None
    target_window: int | None
    clerk_code: str | None
    recalls: int
    misses: int
    parent_id: int | None
    appointment_id: int | None
    token: str


_COLUMNS = [T.c[name] for name in TicketRow.__dataclass_fields__]


def _row(mapping: Any) -> TicketRow:
    return TicketRow(**dict(mapping))


def fetch(
    session: Session, *where: Any, order_by: Any = None, lock: bool = False
) -> TicketRow | None:
    """The first ticket matching the conditions (in ``order_by``), optionally locked for update."""
    query = select(*_COLUMNS).where(*where).limit(1)
    if order_by is not None:
        query = query.order_by(order_by)
    if lock:
        query = query.with_for_update()
    found = session.execute(query).mappings().first()
    return _row(found) if found is not None else None


def fetch_all(session: Session, *where: Any) -> list[TicketRow]:
    """Every ticket matching the conditions."""
    return [_row(found) for found in session.execute(select(*_COLUMNS).where(*where)).mappings()]


def by_token(session: Session, token: str) -> TicketRow | None:
    """The ticket the citizen holding this QR token is now: a transfer makes a new ticket
    (``parent_id`` pointing at the one it came from), so the chain is followed to its newest.

    Only what a citizen's slip leads to follows the chain: the first ticket stays as it was for
    audits and reports (look it up by id, or with :func:`fetch` on ``T.c.token``).
    """
    ticket = fetch(session, T.c.token == token)
    while ticket is not None and ticket.status == TicketStatus.TRANSFERRED.value:
        # ids grow, so the id range keeps the search short without an index on parent_id
        child = fetch(session, T.c.id > ticket.id, T.c.parent_id == ticket.id, order_by=T.c.id)
        if child is None:
            break
        ticket = child
    return ticket


def chain_ids(session: Session, ticket: TicketRow) -> list[int]:
    """This ticket's id and the ids of the tickets it was transferred from, newest first."""
    ids = [ticket.id]
    parent = ticket.parent_id
    while parent is not None and parent not in ids:
        ids.append(parent)
        parent = session.execute(select(T.c.parent_id).where(T.c.id == parent)).scalar()
    return ids


_AT_WINDOW = (
    select(*_COLUMNS)
    .where(T.c.window == bindparam("window"), T.c.status.in_([s.value for s in AT_WINDOW_STATUSES]))
    .order_by(T.c.id.desc())
    .limit(1)
)


_AT_WINDOW_LOCKED = _AT_WINDOW.with_for_update()


def at_window(session: Session, window: int, *, lock: bool = False) -> TicketRow | None:
    """The ticket called to, or being served at, a window."""
    query = _AT_WINDOW_LOCKED if lock else _AT_WINDOW
    found = session.execute(query, {"window": window}).mappings().first()
    return _row(found) if found is not None else None


_CHANGES: dict[tuple[str, ...], Any] = {}


def change(session: Session, ticket: TicketRow, **values: Any) -> TicketRow:
    """Update a ticket guarded by the status it was read with; the row as it now is.

    Raises DatabaseError when the status changed underneath (another terminal was faster),
    which the row lock taken on reading makes impossible in practice.
    """
    names = tuple(sorted(values))
    stmt = _CHANGES.get(names)
    if stmt is None:  # one statement per set of columns, so SQLAlchemy's cache serves it
        stmt = (
            update(T)
            .where(T.c.id == bindparam("p_id"), T.c.status == bindparam("p_status"))
            .values({name: bindparam(f"v_{name}") for name in names})
            .returning(*_COLUMNS)
        )
        _CHANGES[names] = stmt
    params = {f"v_{name}": value for name, value in values.items()}
    found = (
        session.execute(stmt, {**params, "p_id": ticket.id, "p_status": ticket.status})
        .mappings()
        .first()
    )
    if found is None:
        raise DatabaseError("db_busy")
    return _row(found)


_INSERT = insert(T).returning(*_COLUMNS)


def add(session: Session, **values: Any) -> TicketRow:
    """Insert a ticket; the stored row."""
    return _row(session.execute(_INSERT, [values]).mappings().one())


_UPSERTS: dict[str, Any] = {}


def next_seq(session: Session, day: dt.date, queue_id: int) -> int:
    """Increment the queue's day counter with one upsert; its row lock orders concurrent takers."""
    dialect = session.get_bind().dialect.name
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        base = make(C).values(
            business_date=bindparam("p_day"), queue_id=bindparam("p_queue"), last_seq=1
        )
        stmt = base.on_conflict_do_update(
            index_elements=["business_date", "queue_id"],
            set_={"last_seq": C.c.last_seq + 1},
        ).returning(C.c.last_seq)
        _UPSERTS[dialect] = stmt
    return int(session.execute(stmt, {"p_day": day, "p_queue": queue_id}).scalar_one())


_LOCK_COUNTERS = (
    select(C.c.queue_id)
    .where(
        C.c.business_date == bindparam("p_day"),
        C.c.queue_id.in_(bindparam("p_queues", expanding=True)),
    )
    .order_by(C.c.queue_id)
    .with_for_update()
)


def lock_counters(session: Session, day: dt.date, queue_ids: list[int]) -> None:
    """Lock the day counter rows of these queues, in queue order, creating missing ones.

    The second rank of the lock order (see :mod:`models.db`): taken before any ticket row,
    it also makes the priority run read after it the one this transaction will write back.
    On SQLite a no-op: ``BEGIN IMMEDIATE`` already holds the whole database.
    """
    if not queue_ids or session.get_bind().dialect.name != "postgresql":
        return
    wanted = sorted(set(queue_ids))
    params = {"p_day": day, "p_queues": wanted}
    locked = set(session.execute(_LOCK_COUNTERS, params).scalars())
    missing = [q for q in wanted if q not in locked]
    if missing:  # the first call of the day in a queue nobody has taken a ticket in yet
        rows = [
            {"business_date": day, "queue_id": q, "last_seq": 0, "priority_run": 0} for q in missing
        ]
        session.execute(postgresql.insert(C).values(rows).on_conflict_do_nothing())
        session.execute(_LOCK_COUNTERS, params)


def _first_waiting(*, priority: bool | None, queue: bool) -> Any:
    conditions = [
        T.c.business_date == bindparam("p_day"),
        T.c.status == TicketStatus.WAITING.value,
    ]
    if queue:
        conditions += [
            T.c.queue_id == bindparam("p_queue"),
            or_(T.c.target_window.is_(None), T.c.target_window == bindparam("p_window")),
        ]
    else:
        conditions.append(T.c.target_window == bindparam("p_window"))
    if priority is True:
        # Equalities, not !=, so each class is a seek on ix_ticket_next, not a scan of the queue
        conditions.append(or_(*(T.c.priority == p.value for p in Priority if p != Priority.NORMAL)))
    elif priority is False:
        conditions.append(T.c.priority == Priority.NORMAL.value)
    return select(T.c.id).where(and_(*conditions)).order_by(T.c.order_key, T.c.id).limit(1)


FIRST_PRIORITY = _first_waiting(priority=True, queue=True)
FIRST_NORMAL = _first_waiting(priority=False, queue=True)
FIRST_TARGETED = _first_waiting(priority=None, queue=False)

# What a window learns about one of its queues in one statement: the first ticket transferred to
# the window itself, the first priority and the first normal ticket waiting, and the queue's
# priority run today.
PROBE = select(
    FIRST_TARGETED.scalar_subquery().label("targeted"),
    FIRST_PRIORITY.scalar_subquery().label("priority"),
    FIRST_NORMAL.scalar_subquery().label("normal"),
    select(C.c.priority_run)
    .where(C.c.business_date == bindparam("p_day"), C.c.queue_id == bindparam("p_queue"))
    .scalar_subquery()
    .label("run"),
)


def _claim_first(candidates: Any) -> Any:
    # UPDATE … WHERE id = (SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING: the classic
    # PostgreSQL queue claim; on SQLite the write transaction already excludes other writers.
    first = candidates.with_for_update(skip_locked=True).scalar_subquery()
    return (
        update(T)
        .where(T.c.id == first, T.c.status == TicketStatus.WAITING.value)
        .values(
            status=TicketStatus.CALLED.value,
            window=bindparam("p_window"),
            clerk_code=bindparam("p_clerk"),
            called_at=bindparam("p_moment"),
            started_at=None,
            target_window=None,
        )
        .returning(*_COLUMNS)
    )


CLAIM_PRIORITY = _claim_first(FIRST_PRIORITY)
CLAIM_NORMAL = _claim_first(FIRST_NORMAL)
CLAIM_TARGETED = _claim_first(FIRST_TARGETED)


def call_first(session: Session, claim: Any, **params: Any) -> TicketRow | None:
    """Call the first ticket of a candidate class to a window in one statement; None if none."""
    found = session.execute(claim, params).mappings().first()
    return _row(found) if found is not None else None


_GET_RUN = select(C.c.priority_run).where(
    C.c.business_date == bindparam("p_day"), C.c.queue_id == bindparam("p_queue")
)
_SET_RUN = (
    update(C)
    .where(C.c.business_date == bindparam("p_day"), C.c.queue_id == bindparam("p_queue"))
    .values(priority_run=bindparam("p_run"))
)


def get_run(session: Session, day: dt.date, queue_id: int) -> int:
    """Priority tickets called in a row from a queue today (the interleave rule)."""
    return int(session.execute(_GET_RUN, {"p_day": day, "p_queue": queue_id}).scalar() or 0)


def set_run(session: Session, day: dt.date, queue_id: int, run: int) -> None:
    """Store a queue's priority run for today."""
    session.execute(_SET_RUN, {"p_day": day, "p_queue": queue_id, "p_run": run})
