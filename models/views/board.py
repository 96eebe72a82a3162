"""What the hall's display board shows: the newest calls, waiting counts, the missed numbers.

The board polls :func:`models.events.last_event_seq` (the newest event's number, off the key) a
few times a second and calls :func:`board_state` only when it changed. A recall is an event of
its own, so it comes back as a new call (``recall=True``) and is announced again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, Table, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.db import reading
from models.errors import NotFound
from models.events import E
from models.hall import hall_settings
from models.lookup import count_waiting, missed_numbers
from models.queue.ticketrows import T
from models.tables import Queue
from models.timeutil import business_date, local, resolve_now

CALL_KINDS = ("called", "recalled")
"""Events the board shows and speaks."""
STILL_CALLED = ("called", "serving", "done")
"""Ticket states whose calls stay on the board: a missed, void, cancelled, transferred or
requeued call leaves it (the missed numbers have their own line)."""
CALLS_READ = 30
"""Newest call events read each time: far more than the board shows or a poll can miss."""
Q: Table = Queue.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class BoardCall:
    """One call (or recall) of a number to a window: one announcement."""

    seq: int
    """The call's event number: announcements are spoken in this order, each once."""
    number: str
    window: int
    at: dt.datetime
    """When it was called, in the hall's time zone."""
    recall: bool
    """A recall (重呼) of a number already called."""


@dataclass(frozen=True)
class BoardQueue:
    """A zone on the board with the tickets waiting in it."""

    prefix: str
    name_zh: str
    name_en: str
    waiting: int


@dataclass(frozen=True)
class BoardState:
    """Everything the board shows, read in one transaction."""

    version: int
    """The newest event's number when this was read (see models.events.last_event_seq)."""
    hall_zh: str
    hall_en: str
    business_date: dt.date
    calls: list[BoardCall]
    """Today's newest calls and recalls in the board's zones, newest first, of the tickets
    still called, served or done (see STILL_CALLED)."""
    queues: list[BoardQueue]
    missed: list[str]
    """Today's missed (过号) numbers in the board's zones that may still come back."""
    called_today: bool = False
    """Some number was called today in the board's zones, even when none of those calls stays
    on the board (a no-show, a transfer): the big line asks people to watch for their number
    rather than to wait for the first call."""

    @property
    def newest(self) -> BoardCall | None:
        """The call shown large."""
        return self.calls[0] if self.calls else None

    def recent(self, count: int) -> list[BoardCall]:
        """Up to ``count`` calls before the newest, each number once (its newest call)."""
        seen = {self.calls[0].number} if self.calls else set()
        out: list[BoardCall] = []
        for call in self.calls[1:]:
            if call.number not in seen and len(out) < count:
                seen.add(call.number)
                out.append(call)
        return out

    def after(self, seq: int) -> list[BoardCall]:
        """The calls newer than event ``seq``, oldest first: what is still to be announced."""
        return sorted((c for c in self.calls if c.seq > seq), key=lambda c: c.seq)


def board_queues(engine: Engine, prefixes: Iterable[str] | None = None) -> list[str]:
    """The prefixes of the board's zones, in hall order: the active ones named, or all.

    Raises NotFound for a letter that is no active queue of the hall.
    """
    with reading(engine) as session:
        active = [p for p in session.exec(_ACTIVE_PREFIXES).all()]
    if prefixes is None:
        return active
    wanted = [p.strip().upper() for p in prefixes if p.strip()]
    hint = f"the zones of this hall: {','.join(active)}"
    if not wanted:
        raise NotFound("unknown_queue", queue="''", hint=hint)
    for prefix in wanted:
        if prefix not in active:
            raise NotFound("unknown_queue", queue=prefix, hint=hint)
    return [p for p in active if p in wanted]


_ACTIVE_PREFIXES = select(col(Queue.prefix)).where(col(Queue.active)).order_by(col(Queue.position))
_QUEUES = sa_select(Q.c.id, Q.c.prefix, Q.c.name_zh, Q.c.name_en).where(Q.c.active.is_(True))
# Events of today's tickets all come after the first of today's tickets was issued: the calls
# are found walking back from the newest event over today's events only, however long the log.
_FIRST_TODAY = sa_select(func.min(E.c.seq)).where(
    E.c.ticket_id
    == sa_select(func.min(T.c.id)).where(T.c.business_date == bindparam("day")).scalar_subquery()
)
_CALLS = (
    sa_select(E.c.seq, E.c.kind, E.c.at, E.c.window, T.c.number, T.c.queue_id, T.c.status)
    .join(T, T.c.id == E.c.ticket_id)
    .where(
        E.c.seq >= bindparam("first"),
        E.c.kind.in_(CALL_KINDS),
        T.c.business_date == bindparam("day"),
        T.c.queue_id.in_(bindparam("queues", expanding=True)),
    )
    .order_by(E.c.seq.desc())
    .limit(CALLS_READ)
)


def board_state(
    engine: Engine, *, queues: Iterable[str] | None = None, now: dt.datetime | None = None
) -> BoardState:
    """The board's state for its zones (prefix letters; None: every active zone)."""
    moment = resolve_now(now)
    wanted = None if queues is None else {p.upper() for p in queues}
    with reading(engine) as session:
        version = session.execute(sa_select(func.coalesce(func.max(E.c.seq), 0))).scalar_one()
        settings = hall_settings(session)
        tz = settings.timezone
        day = business_date(moment, tz)
        rows = [
            r
            for r in session.execute(_QUEUES.order_by(Q.c.position)).all()
            if wanted is None or r.prefix in wanted
        ]
        ids = [r.id for r in rows]
        waiting = count_waiting(session, day)
        calls, called_today = _calls(session, day, ids, tz)
        missed = missed_numbers(session, day, ids)
    return BoardState(
        version=version,
        hall_zh=settings.name_zh,
        hall_en=settings.name_en,
        business_date=day,
        calls=calls,
        queues=[BoardQueue(r.prefix, r.name_zh, r.name_en, waiting.get(r.id, 0)) for r in rows],
        missed=missed,
        called_today=called_today,
    )


def _calls(
    session: Session, day: dt.date, queue_ids: list[int], tz: str
) -> tuple[list[BoardCall], bool]:
    """The calls that stay on the board, and whether any number was called today."""
    first = session.execute(_FIRST_TODAY, {"day": day}).scalar()
    if first is None or not queue_ids:
        return [], False
    rows = session.execute(_CALLS, {"first": first, "day": day, "queues": queue_ids}).all()
    return [
        BoardCall(
            seq=r.seq,
            number=r.number,
            window=r.window,
            at=local(r.at, tz),
            recall=r.kind == "recalled",
        )
        for r in rows
        if r.window is not None and r.status in STILL_CALLED
    ], bool(rows)
