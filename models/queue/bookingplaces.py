"""Counting places under locks: a slot's row and a person's rows.

A booking locks its person rows (keys ascending) to count the person's bookings, then its slot's
row to take a place (see the lock order in :mod:`models.db`); a cancel locks its appointment,
then the slot's row to give the place back. Rows are created on first use by an insert that
never fails on a race (``ON CONFLICT DO NOTHING``), then locked ``FOR UPDATE``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models.bookingrules import Rule
from models.errors import Refused
from models.tables import BookingPerson, BookingSlot

SLOTS: Table = BookingSlot.__table__  # type: ignore[attr-defined]
PEOPLE: Table = BookingPerson.__table__  # type: ignore[attr-defined]

_LOCK_PERSON = select(PEOPLE.c.key).where(PEOPLE.c.key == bindparam("p_key")).with_for_update()
_LOCK_SLOT = (
    select(SLOTS.c.id, SLOTS.c.taken)
    .where(
        SLOTS.c.pool == bindparam("p_pool"),
        SLOTS.c.day == bindparam("p_day"),
        SLOTS.c.start == bindparam("p_start"),
    )
    .with_for_update()
)
_SET_TAKEN = (
    SLOTS.update().where(SLOTS.c.id == bindparam("p_id")).values(taken=bindparam("p_taken"))
)


def lock_people(session: Session, keys: list[str], moment: dt.datetime) -> None:
    """Lock a person's rows (created when new), keys ascending: their bookings are counted
    under the lock."""
    for key in keys:
        _insert_missing(session, PEOPLE, {"key": key, "first_seen": moment})
        session.execute(_LOCK_PERSON, {"p_key": key})


def take_place(session: Session, rule: Rule, day: dt.date, start: dt.time) -> None:
    """Take one place of the slot under its row's lock. Raises Refused (booking_full)."""
    _insert_missing(session, SLOTS, {"pool": rule.pool, "day": day, "start": start, "taken": 0})
    slot_id, taken = session.execute(
        _LOCK_SLOT, {"p_pool": rule.pool, "p_day": day, "p_start": start}
    ).one()
    if taken >= rule.places:
        raise Refused("booking_full", day=day.isoformat(), start=start.strftime("%H:%M"))
    session.execute(_SET_TAKEN, {"p_id": slot_id, "p_taken": taken + 1})


def free_place(session: Session, pool: str, day: dt.date, at: dt.time, n: int = 1) -> None:
    """Give back ``n`` places of the slot a booking at ``at`` took (the slot starting at or
    before it: an import's time may lie inside a slot), under the slot row's lock."""
    row = session.execute(
        select(SLOTS.c.id, SLOTS.c.taken)
        .where(SLOTS.c.pool == pool, SLOTS.c.day == day, SLOTS.c.start <= at)
        .order_by(SLOTS.c.start.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if row is not None and row.taken > 0:
        session.execute(
            SLOTS.update().where(SLOTS.c.id == row.id).values(taken=max(0, row.taken - n))
        )


def _insert_missing(session: Session, table: Table, values: dict[str, object]) -> None:
    """Insert a row unless one with its key is there (never an error on a race)."""
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(maker(table).values(**values).on_conflict_do_nothing())
