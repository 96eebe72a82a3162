"""Which days and slots a booking rule offers, on the hall's calendar (no database).

Days are counted in working days of the official calendar (:mod:`models.workdays`: holidays are
not working days, adjusted working Saturdays and Sundays are), or every day for a hall open
every day. Slots fill each booking-hours range from its start, one slot length after another;
a slot that would run past the range's end is not offered.
"""

from __future__ import annotations

import datetime as dt

from models.bookingrules import Rule
from models.errors import Refused
from models.hall import HallSettings
from models.timeutil import from_local, local

MAX_SCAN_DAYS = 120
"""Calendar days looked through for the last bookable day (a 60-working-day rule, holidays)."""


def open_on(settings: HallSettings, day: dt.date) -> bool:
    """Whether the hall serves on ``day`` (its working days, or every day)."""
    from models.workdays import is_workday

    return settings.open_days == "every-day" or is_workday(day)[0]


def days_ahead(settings: HallSettings, today: dt.date, day: dt.date) -> int:
    """How many of the hall's days lie after today up to and including ``day``."""
    count, current = 0, today
    while current < day:
        current += dt.timedelta(days=1)
        count += open_on(settings, current)
    return count


def offered_days(settings: HallSettings, rule: Rule, today: dt.date) -> list[dt.date]:
    """The days a rule lets one book today, in order."""
    days = []
    if rule.first_day == 0 and open_on(settings, today):
        days.append(today)
    ahead, day = 0, today
    for _ in range(MAX_SCAN_DAYS):
        day += dt.timedelta(days=1)
        if not open_on(settings, day):
            continue
        ahead += 1
        if ahead > rule.last_day:
            break
        if ahead >= rule.first_day:
            days.append(day)
    return days


def check_day(settings: HallSettings, rule: Rule, day: dt.date, today: dt.date) -> None:
    """Refuse a day the rule does not offer today, saying which days it does."""
    days = offered_days(settings, rule, today)
    first = days[0].isoformat() if days else "—"
    last = days[-1].isoformat() if days else "—"
    if day < today:
        raise Refused("booking_past", day=day.isoformat())
    if not open_on(settings, day):
        raise Refused("booking_closed_day", day=day.isoformat(), first=first, last=last)
    if day in days:
        return
    if (days and day > days[-1]) or (not days and days_ahead(settings, today, day) > rule.last_day):
        raise Refused("booking_too_far", day=day.isoformat(), last=last)
    raise Refused("booking_too_soon", day=day.isoformat(), first=first)


def slot_times(rule: Rule, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """Every slot of the rule's booking hours on a day, (start, end), in order."""
    step = dt.timedelta(minutes=rule.slot_minutes)
    out = []
    for text in sorted(rule.hours):
        first, last = text.split("-")
        start = dt.datetime.combine(day, dt.time.fromisoformat(first))
        end = (
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
            if last == "24:00"
            else dt.datetime.combine(day, dt.time.fromisoformat(last))
        )
        while start + step <= end:
            out.append((start.time(), (start + step).time()))
            start += step
    return out


def slot_end(rule: Rule, day: dt.date, start: dt.time) -> dt.time:
    """The end of the slot starting at ``start``. Refuses a start that is no slot's, naming the
    booking hours."""
    for begins, ends in slot_times(rule, day):
        if begins == start:
            return ends
    raise Refused(
        "booking_not_a_slot",
        start=start.strftime("%H:%M"),
        hours=", ".join(sorted(rule.hours)),
        minutes=rule.slot_minutes,
    )


def containing_slot(rule: Rule, day: dt.date, at: dt.time) -> dt.time:
    """The start of the slot a time falls in (an imported booking made on another channel's
    grid takes a place there). Refuses a time outside the booking hours."""
    for begins, ends in slot_times(rule, day):
        if begins <= at and (at < ends or ends == dt.time()):
            return begins
    raise Refused(
        "booking_not_a_slot",
        start=at.strftime("%H:%M"),
        hours=", ".join(sorted(rule.hours)),
        minutes=rule.slot_minutes,
    )


def slot_started(tz: str, day: dt.date, start: dt.time, moment: dt.datetime) -> bool:
    """Whether the slot has begun at ``moment``."""
    return from_local(day, start, tz) <= moment


def cancel_until(tz: str, rule_minutes: int, day: dt.date, start: dt.time) -> dt.datetime:
    """The last moment a booking of this slot can be cancelled, in the hall's local time."""
    return local(from_local(day, start, tz) - dt.timedelta(minutes=rule_minutes), tz)
