"""The booking rules for imported appointments (a CSV made by another channel: the 12345
hotline's system, a partner's spreadsheet).

A row for a queue or item the hall file opens to booking obeys the same limits as a booking on
the phone pages, but for the earliest day (a list of today's bookings made elsewhere is what
halls import in the morning): not a past day, a working day, not too far ahead, a slot of the
booking hours, a free place in the slot, and, when the row gives a mobile (or ID) number, the
person's limit and no-show block. A row for a queue or item not open to booking is imported as
before, with no limits. A row the rules refuse is reported with its line; the others are
imported (a hall manager wants the good bookings in, and the refused ones to call back).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, select
from sqlmodel import Session

from models.bookingrules import Rule, rule_for
from models.errors import Refused
from models.hall import HallConfig
from models.queue.bookingblocks import held_count, standing
from models.queue.bookingpeople import clean_id_number, clean_mobile, mask_mobile, person_key
from models.queue.bookingplaces import free_place, lock_people, take_place
from models.queue.bookingslots import containing_slot, offered_days, open_on
from models.tables import Appointment

_APPT: Table = Appointment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LineRefused:
    """One line of an import the booking rules refused (nothing of it was stored)."""

    line: int
    code: str
    key: str
    zh: str
    en: str


def person_fields(mobile: str, id_number: str) -> dict[str, Any]:
    """The stored person fields of a row's mobile and ID number (either may be empty).
    Raises Refused (booking_bad_mobile, booking_bad_id)."""
    number = clean_mobile(mobile) if mobile else None
    id_clean = clean_id_number(id_number or None)
    return {
        "mobile": number,
        "mobile_masked": mask_mobile(number) if number else "",
        "person_key": person_key("m", number) if number else None,
        "id_key": person_key("id", id_clean) if id_clean else None,
    }


def check_row_day(config: HallConfig, prefix: str, row: dict[str, Any], today: dt.date) -> None:
    """The calendar rules for one parsed row; sets its slot pool when the row takes a place.
    Raises Refused for a rule it breaks."""
    rule = rule_for(config, queue=prefix, item=row["item_code"])
    if rule is None:
        return
    day = row["slot_date"]
    if day < today:
        raise Refused("booking_past", day=day.isoformat())
    relaxed = Rule(**{**rule.__dict__, "first_day": 0})  # imports may bring today's bookings
    days = offered_days(config.hall, relaxed, today)
    last = days[-1].isoformat() if days else "—"
    if not open_on(config.hall, day):
        first = days[0].isoformat() if days else "—"
        raise Refused("booking_closed_day", day=day.isoformat(), first=first, last=last)
    if day not in days:
        raise Refused("booking_too_far", day=day.isoformat(), last=last)
    row["_slot"] = containing_slot(rule, day, row["slot_start"])
    row["pool"] = rule.pool


def place_rows(
    session: Session,
    config: HallConfig,
    rows: list[dict[str, Any]],
    *,
    today: dt.date,
    moment: dt.datetime,
) -> tuple[list[dict[str, Any]], list[LineRefused]]:
    """Within one write transaction: the rows that keep their place (and their person's limits),
    and the refused ones. Lock order as a booking's: the batch's person rows first (ascending),
    then slot rows, the rows in slot order (a file's earlier line wins a slot's last place)."""
    keys = sorted({k for r in rows for k in (r.get("person_key"), r.get("id_key")) if k})
    lock_people(session, keys, moment)
    kept, refused = [], []
    for row in sorted(rows, key=lambda r: (r["pool"] or "", r["slot_date"], r["slot_start"])):
        try:
            _one(session, config, row, today)
        except Refused as exc:
            refused.append(LineRefused(row["_line"], row["code"], exc.key, exc.zh, exc.en))
            continue
        kept.append(row)
    return sorted(kept, key=lambda r: r["_line"]), sorted(refused, key=lambda r: r.line)


def _one(session: Session, config: HallConfig, row: dict[str, Any], today: dt.date) -> None:
    pool = row.get("pool")
    if pool is None:
        return
    mobile_key, id_key = row.get("person_key"), row.get("id_key")
    if mobile_key or id_key:
        rules = config.booking
        record = standing(session, rules, mobile_key=mobile_key, id_key=id_key, today=today)
        if record.blocked_until is not None:
            raise Refused(
                "booking_blocked",
                count=rules.no_show_limit,
                days=rules.no_show_window_days,
                until=record.blocked_until.isoformat(),
            )
    prefix = pool_queue(config, row)
    rule = rule_for(config, queue=prefix, item=row["item_code"])
    assert rule is not None
    if mobile_key or id_key:
        held = held_count(
            session,
            mobile_key=mobile_key,
            id_key=id_key,
            day=row["slot_date"],
            queue_id=row["queue_id"],
            item_code=row["item_code"],
        )
        if held >= rule.per_person_per_day:
            raise Refused(
                "booking_limit",
                limit=rule.per_person_per_day,
                item=row["item_code"] or prefix,
                day=row["slot_date"],
            )
    take_place(session, rule, row["slot_date"], row["_slot"])
    # Insert it now, so the next row of the same person counts it.
    session.execute(_APPT.insert(), [_stored(row)])
    row["_inserted"] = True


def pool_queue(config: HallConfig, row: dict[str, Any]) -> str:
    """The queue prefix of a row (its pool is ``Q:<prefix>`` or ``I:<item>``)."""
    pool: str = row["pool"]
    if pool.startswith("Q:"):
        return pool[2:]
    item = next(i for i in config.item if i.code == pool[2:])
    return item.queue


def stored_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows still to insert, without the import's own keys."""
    return [_stored(r) for r in rows if not r.get("_inserted")]


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def forget_rows(session: Session, where: Any) -> None:
    """Delete imported rows (a failed or stale import), giving their places back."""
    taken = Counter(
        session.execute(
            select(_APPT.c.pool, _APPT.c.slot_date, _APPT.c.slot_start).where(
                where, _APPT.c.pool.is_not(None)
            )
        ).all()
    )
    for (pool, day, start), n in sorted(taken.items()):
        free_place(session, pool, day, start, n)
    session.execute(delete(_APPT).where(where))
