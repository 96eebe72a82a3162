"""The rules for people: how many bookings one person holds, and the no-show (爽约) block.

A person is their person keys (:mod:`models.queue.bookingpeople`): the keyed hash of their
mobile number and, when given, of their ID number; a booking matches a person when either key
matches. The block is the hall's published rule: ``no_show_limit`` no-shows within
``no_show_window_days`` days and the person cannot book for ``no_show_block_days`` days from the
last of them; with fewer, the booking is made with a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, func, or_, select
from sqlmodel import Session

from models.bookingrules import BookingSettings
from models.tables import Appointment

A: Table = Appointment.__table__  # type: ignore[attr-defined]
HELD = ("booked", "checked_in")
"""Statuses that count against a person's limit (a cancelled booking frees its place)."""


# Statements built once (a booking runs them under its locks); a key given as None matches
# nothing (NULL = NULL is not true).
_PERSON = or_(A.c.person_key == bindparam("p_mobile"), A.c.id_key == bindparam("p_id"))
_HELD = select(func.count()).where(
    _PERSON,
    A.c.slot_date == bindparam("p_day"),
    A.c.queue_id == bindparam("p_queue"),
    A.c.status.in_(HELD),
)
_HELD_ITEM = _HELD.where(A.c.item_code == bindparam("p_item"))
_HELD_QUEUE = _HELD.where(A.c.item_code.is_(None))
_NO_SHOWS = select(A.c.slot_date).where(
    _PERSON, A.c.status == "no_show", A.c.slot_date >= bindparam("p_since")
)


def held_count(
    session: Session,
    *,
    mobile_key: str | None,
    id_key: str | None,
    day: dt.date,
    queue_id: int,
    item_code: str | None,
) -> int:
    """The person's bookings held for this item (or queue, without an item) on the day."""
    params = {"p_mobile": mobile_key, "p_id": id_key, "p_day": day, "p_queue": queue_id}
    if item_code:
        return int(session.execute(_HELD_ITEM, {**params, "p_item": item_code}).scalar_one())
    return int(session.execute(_HELD_QUEUE, params).scalar_one())


@dataclass(frozen=True)
class Standing:
    """A person's no-show record as the rule sees it today."""

    no_shows: int
    """No-shows within the rule's window, counted back from today."""
    blocked_until: dt.date | None
    """The first day they can book again; None when not blocked."""


def standing(
    session: Session,
    rules: BookingSettings,
    *,
    mobile_key: str | None,
    id_key: str | None,
    today: dt.date,
) -> Standing:
    """The person's no-shows and block today."""
    since = today - dt.timedelta(days=rules.no_show_window_days + rules.no_show_block_days)
    params = {"p_mobile": mobile_key, "p_id": id_key, "p_since": since}
    days = sorted(day for (day,) in session.execute(_NO_SHOWS, params).all())
    window = dt.timedelta(days=rules.no_show_window_days)
    recent = sum(1 for day in days if day > today - window)
    until: dt.date | None = None
    if rules.no_show_limit:
        for n, last in enumerate(days):
            inside = [d for d in days[: n + 1] if d > last - window]
            if len(inside) >= rules.no_show_limit:
                ends = last + dt.timedelta(days=rules.no_show_block_days)
                until = ends if until is None or ends > until else until
    return Standing(no_shows=recent, blocked_until=until if until and until > today else None)
