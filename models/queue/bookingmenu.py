"""What can be booked: the items by department (as the kiosk shows them), their days and
their slots with the places still free (no lock: a booking counts again under its lock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlmodel import Session

from models.bookingrules import Rule, rule_for
from models.db import reading
from models.errors import NotFound, Refused
from models.hall import HallConfig, ItemConfig, hall_config
from models.lookup import QueueRow, get_queue
from models.queue.bookingplaces import SLOTS
from models.queue.bookingslots import check_day, offered_days, slot_started, slot_times
from models.timeutil import business_date, resolve_now
from models.views.menu import items as menu_items


@dataclass(frozen=True)
class Slot:
    """One slot of a day with its places."""

    start: dt.time
    end: dt.time
    places: int
    free: int


@dataclass(frozen=True)
class BookableItem:
    """An item a citizen can book, as the kiosk shows it, with its queue."""

    code: str
    name_zh: str
    name_en: str
    department: str
    department_en: str
    queue: str
    queue_name_zh: str
    queue_name_en: str
    slot_minutes: int
    materials: list[str]


def booking_menu(
    engine: Engine, *, now: dt.datetime | None = None
) -> dict[str, list[BookableItem]]:
    """The items that can be booked, by department in the kiosk's order (hall-file order)."""
    del now  # what is bookable depends on the hall file only; the days on the clock
    grouped = menu_items(engine)
    with reading(engine) as session:
        config = hall_config(session)
    queues = {q.prefix: q for q in config.queue}
    out: dict[str, list[BookableItem]] = {}
    for department, choices in grouped.items():
        for choice in choices:
            rule = rule_for(config, queue=choice.queue, item=choice.code)
            if rule is None:
                continue
            queue = queues[choice.queue]
            out.setdefault(department, []).append(
                BookableItem(
                    code=choice.code,
                    name_zh=choice.name_zh,
                    name_en=choice.name_en,
                    department=choice.department,
                    department_en=choice.department_en,
                    queue=choice.queue,
                    queue_name_zh=queue.name_zh,
                    queue_name_en=queue.name_en,
                    slot_minutes=rule.slot_minutes,
                    materials=choice.materials,
                )
            )
    return out


def item_rule(session: Session, item_code: str) -> tuple[HallConfig, ItemConfig, QueueRow, Rule]:
    """An item of the loaded hall file (its active items), its queue and its booking rule.
    Raises NotFound (unknown_item), Refused (booking_not_bookable)."""
    config = hall_config(session)
    code = (item_code or "").strip().upper()
    item = next((i for i in config.item if i.code == code), None)
    if item is None:
        raise NotFound("unknown_item", item=item_code)
    queue = get_queue(session, item.queue)
    rule = rule_for(config, queue=queue.prefix, item=item.code)
    if rule is None:
        raise Refused("booking_not_bookable", item=item.code, name=item.name_zh)
    return config, item, queue, rule


def bookable_days(
    engine: Engine, *, item_code: str, now: dt.datetime | None = None
) -> list[dt.date]:
    """The days an item can be booked for now. Raises NotFound (unknown item), Refused
    (booking_not_bookable)."""
    moment = resolve_now(now)
    with reading(engine) as session:
        config, _, _, rule = item_rule(session, item_code)
    return offered_days(config.hall, rule, business_date(moment, config.hall.timezone))


def open_slots(
    engine: Engine, *, item_code: str, day: dt.date, now: dt.datetime | None = None
) -> list[Slot]:
    """The day's slots not yet begun, with their free places. Raises NotFound, Refused (the day
    is not bookable: past, too soon, too far, not a working day)."""
    moment = resolve_now(now)
    with reading(engine) as session:
        config, _, _, rule = item_rule(session, item_code)
        tz = config.hall.timezone
        check_day(config.hall, rule, day, business_date(moment, tz))
        taken = dict(
            session.execute(
                select(SLOTS.c.start, SLOTS.c.taken).where(
                    SLOTS.c.pool == rule.pool, SLOTS.c.day == day
                )
            ).all()
        )
    return [
        Slot(start=s, end=e, places=rule.places, free=max(0, rule.places - taken.get(s, 0)))
        for s, e in slot_times(rule, day)
        if not slot_started(tz, day, s, moment)
    ]
