"""好差评: the citizen rates the ticket a window has just finished; bad ratings open 整改 items.

A rating pad faces the citizen at each window. It asks about the ticket the window finished
most recently today, once: a ticket is rated at most once, and once the newest finished ticket
is rated the pad has nothing to ask until the window finishes another. Levels 1 and 2 need a
reason and open a rectification item due in 15 working days on the Chinese official calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from models.db import reading, writing
from models.errors import NotFound, Refused
from models.events import append_event
from models.hall import hall_settings
from models.lookup import get_item, last_finished, window_clerk
from models.queue.ticketrows import T, TicketRow, at_window, fetch
from models.tables import Clerk, Rating, Rectification, Ticket
from models.text import words
from models.text.words import RATING_LEVELS
from models.textsafe import require_plain
from models.timeutil import business_date, local, resolve_now
from models.workdays import add_workdays

RECTIFY_WORKDAYS = 15
"""A bad rating must be put right within this many working days."""
BAD_LEVELS = (1, 2)
"""不满意 and 非常不满意: a reason is asked for and a rectification item opened."""


@dataclass(frozen=True)
class RatableTicket:
    """What the rating pad asks about: the ticket this window finished last, not yet rated."""

    ticket_id: int
    number: str
    item: str | None
    item_zh: str | None
    item_en: str | None
    finished_at: dt.datetime
    """Local time in the hall."""


@dataclass(frozen=True)
class RatingView:
    """A stored rating."""

    id: int
    ticket_id: int
    number: str
    window: int
    clerk_code: str | None
    level: int
    level_zh: str
    level_en: str
    reason: str
    rated_at: dt.datetime
    """Local time in the hall."""
    rectification_id: int | None
    """The rectification item a bad rating opened."""
    due_date: dt.date | None
    provisional: bool


@dataclass(frozen=True)
class RectificationView:
    """A rectification item (整改) as the supervisor sees it."""

    id: int
    rating_id: int
    ticket_id: int
    number: str
    business_date: dt.date
    """The day of the ticket (numbers restart every day)."""
    window: int
    clerk_code: str | None
    level: int
    reason: str
    opened_at: dt.datetime
    """Local time in the hall."""
    due_date: dt.date
    provisional: bool
    """The due date counts days past the official calendar's data (Monday to Friday)."""
    closed_at: dt.datetime | None
    closed_by: str | None
    note: str
    overdue: bool
    """Still open after its due date."""
    days_overdue: int
    """Calendar days past the due date while open (0 when not overdue)."""

    @property
    def state(self) -> str:
        """open or closed."""
        return "closed" if self.closed_at is not None else "open"


R = Rating.__table__  # type: ignore[attr-defined]
_RATING_OF = select(R.c.id, R.c.level).where(R.c.ticket_id == bindparam("ticket"))


def _last_done(
    session: Session, window: int, day: dt.date, *, lock: bool = False
) -> TicketRow | None:
    done = last_finished(session, window, day)
    if done is None:
        return None
    return fetch(session, T.c.id == done.id, lock=lock)


def ratable_ticket(
    engine: Engine, *, window: int, now: dt.datetime | None = None
) -> RatableTicket | None:
    """The ticket the window finished most recently today, if it is not rated yet.

    None when the window has finished nothing today, its newest finished ticket is rated (an
    older unrated ticket is never asked about: its citizen has gone), or the window has called
    the next citizen: the question must not reach the one now sitting down. NotFound for an
    unknown window.
    """
    moment = resolve_now(now)
    with reading(engine) as session:
        tz = hall_settings(session).timezone
        window_clerk(session, window)  # an unknown window is refused
        if at_window(session, window) is not None:
            return None
        ticket = _last_done(session, window, business_date(moment, tz))
        if ticket is None or session.execute(_RATING_OF, {"ticket": ticket.id}).first():
            return None
        item = get_item(session, ticket.item_code) if ticket.item_code else None
        assert ticket.finished_at is not None, "a done ticket has been finished"
        return RatableTicket(
            ticket_id=ticket.id,
            number=ticket.number,
            item=ticket.item_code,
            item_zh=item.name_zh if item else None,
            item_en=item.name_en if item else None,
            finished_at=local(ticket.finished_at, tz),
        )


def rate(
    engine: Engine,
    *,
    window: int,
    level: int,
    reason: str = "",
    now: dt.datetime | None = None,
) -> RatingView:
    """Rate the ticket the window finished most recently today (one rating per ticket).

    Levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意. Levels 1 and 2 need a
    reason and open a rectification item due in 15 working days from the rating's local date.
    Writes a "rated" event (and a "rectification_opened" one).

    Raises Refused("rating_bad_level") for a level outside 1..5, Refused("rating_needs_reason")
    for a bad rating without a reason, Refused("nothing_finished") when the window has finished
    nothing today, Refused("already_rated") when its newest finished ticket is rated, and
    NotFound("unknown_window").
    """
    if level not in RATING_LEVELS:
        raise Refused("rating_bad_level", level=level)
    reason = reason.strip()
    level_zh, level_en = words.pair(f"rating_{level}")
    if level in BAD_LEVELS and not reason:
        raise Refused("rating_needs_reason", level_zh=level_zh, level_en=level_en)
    require_plain(reason, field="rating_reason")
    moment = resolve_now(now)
    try:
        with writing(engine) as session:
            return _rate(session, window, level, reason, moment)
    except IntegrityError:
        # Two pads raced past the check on PostgreSQL; the unique index kept one rating.
        with reading(engine) as session:
            day = business_date(moment, hall_settings(session).timezone)
            ticket = _last_done(session, window, day)
        raise _already_rated(ticket.number if ticket else "?", level) from None


def _already_rated(number: str, level: int) -> Refused:
    level_zh, level_en = words.pair(f"rating_{level}") if level in RATING_LEVELS else ("?", "?")
    return Refused("already_rated", number=number, level_zh=level_zh, level_en=level_en)


def _rate(
    session: Session, window: int, level: int, reason: str, moment: dt.datetime
) -> RatingView:
    tz = hall_settings(session).timezone
    window_clerk(session, window)
    day = local(moment, tz).date()
    # The ticket row is locked, so two pads rating the same ticket queue up here and the
    # second one sees the first one's rating.
    ticket = _last_done(session, window, day, lock=True)
    if ticket is None:
        raise Refused("nothing_finished", window=window)
    existing = session.execute(_RATING_OF, {"ticket": ticket.id}).first()
    if existing is not None:
        raise _already_rated(ticket.number, existing.level)
    rating = Rating(
        ticket_id=ticket.id,
        window=window,
        clerk_code=ticket.clerk_code,
        level=level,
        reason=reason,
        rated_at=moment,
    )
    session.add(rating)
    session.flush()
    assert rating.id is not None
    append_event(
        session,
        kind="rated",
        ticket_id=ticket.id,
        window=window,
        clerk_code=ticket.clerk_code,
        at=moment,
        data={"number": ticket.number, "rating": rating.id, "level": level, "reason": reason},
    )
    item = None
    if level in BAD_LEVELS:
        due, provisional = add_workdays(day, RECTIFY_WORKDAYS)
        item = Rectification(
            rating_id=rating.id,
            ticket_id=ticket.id,
            window=window,
            clerk_code=ticket.clerk_code,
            reason=reason,
            opened_at=moment,
            due_date=due,
            provisional=provisional,
        )
        session.add(item)
        session.flush()
        append_event(
            session,
            kind="rectification_opened",
            ticket_id=ticket.id,
            window=window,
            clerk_code=ticket.clerk_code,
            at=moment,
            data={
                "number": ticket.number,
                "rectification": item.id,
                "rating": rating.id,
                "level": level,
                "due": due.isoformat(),
                "provisional": provisional,
            },
        )
    level_zh, level_en = words.pair(f"rating_{level}")
    return RatingView(
        id=rating.id,
        ticket_id=ticket.id,
        number=ticket.number,
        window=window,
        clerk_code=ticket.clerk_code,
        level=level,
        level_zh=level_zh,
        level_en=level_en,
        reason=reason,
        rated_at=local(moment, tz),
        rectification_id=item.id if item else None,
        due_date=item.due_date if item else None,
        provisional=item.provisional if item else False,
    )


def list_rectifications(
    engine: Engine,
    *,
    open_only: bool = True,
    overdue_only: bool = False,
    now: dt.datetime | None = None,
) -> list[RectificationView]:
    """Rectification items, oldest first: the open ones (or all), or only the overdue ones.

    An item is overdue when it is still open after its due date (the hall's local date).
    """
    moment = resolve_now(now)
    with reading(engine) as session:
        tz = hall_settings(session).timezone
        today = business_date(moment, tz)
        query = (
            orm_select(
                Rectification, col(Rating.level), col(Ticket.number), col(Ticket.business_date)
            )
            .join(Rating, col(Rating.id) == col(Rectification.rating_id))
            .join(Ticket, col(Ticket.id) == col(Rectification.ticket_id))
            .order_by(col(Rectification.opened_at), col(Rectification.id))
        )
        if open_only or overdue_only:
            query = query.where(col(Rectification.closed_at).is_(None))
        if overdue_only:
            query = query.where(col(Rectification.due_date) < today)
        return [
            _rectification_view(item, level, number, day, tz, today)
            for item, level, number, day in session.exec(query).all()
        ]


def _rectification_view(
    item: Rectification, level: int, number: str, day: dt.date, tz: str, today: dt.date
) -> RectificationView:
    assert item.id is not None
    overdue = item.closed_at is None and item.due_date < today
    return RectificationView(
        id=item.id,
        rating_id=item.rating_id,
        ticket_id=item.ticket_id,
        number=number,
        business_date=day,
        window=item.window,
        clerk_code=item.clerk_code,
        level=level,
        reason=item.reason,
        opened_at=local(item.opened_at, tz),
        due_date=item.due_date,
        provisional=item.provisional,
        closed_at=local(item.closed_at, tz) if item.closed_at else None,
        closed_by=item.closed_by,
        note=item.note,
        overdue=overdue,
        days_overdue=(today - item.due_date).days if overdue else 0,
    )


def close_rectification(
    engine: Engine, *, id: int, by: str, note: str, now: dt.datetime | None = None
) -> RectificationView:
    """Close a rectification item with a note of what was done, by a clerk (the supervisor).

    Raises NotFound("unknown_rectification"), NotFound("unknown_clerk"),
    Refused("rectification_note") without a note, Refused("rectification_closed") when it is
    closed already. Writes a "rectification_closed" event.
    """
    note = note.strip()
    if not note:
        raise Refused("rectification_note")
    require_plain(note, field="rectification_note")
    moment = resolve_now(now)
    with writing(engine) as session:
        tz = hall_settings(session).timezone
        item = session.exec(
            orm_select(Rectification).where(Rectification.id == id).with_for_update()
        ).first()
        if item is None:
            raise NotFound("unknown_rectification", id=id)
        if item.closed_at is not None:
            closed = local(item.closed_at, tz).strftime("%Y-%m-%d %H:%M")
            raise Refused("rectification_closed", id=id, closed=closed, by=item.closed_by)
        clerk = session.get(Clerk, by.strip())
        if clerk is None:
            raise NotFound("unknown_clerk", clerk=by)
        was_overdue = item.due_date < business_date(moment, tz)
        item.closed_at, item.closed_by, item.note = moment, clerk.code, note
        session.add(item)
        append_event(
            session,
            kind="rectification_closed",
            ticket_id=item.ticket_id,
            window=item.window,
            clerk_code=clerk.code,
            at=moment,
            data={"rectification": id, "note": note, "late": was_overdue},
        )
        rating = session.get(Rating, item.rating_id)
        ticket = fetch(session, T.c.id == item.ticket_id)
        assert rating is not None and ticket is not None
        return _rectification_view(
            item, rating.level, ticket.number, ticket.business_date, tz, business_date(moment, tz)
        )
