"""Time in the hall: stored as aware UTC, shown and dated in the hall's time zone.

``MASHANGBAN_NOW`` (an ISO time with offset) fixes the clock for demos and tests of opening
hours; operations also take ``now=`` directly.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from models import settings


def utcnow() -> dt.datetime:
    """The current time in UTC (how times are stored)."""
    fixed = settings.NOW.get()
    if fixed:
        return to_utc(dt.datetime.fromisoformat(fixed))
    return dt.datetime.now(dt.UTC)


def to_utc(moment: dt.datetime) -> dt.datetime:
    """Any time as aware UTC; a naive time is taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def local(moment: dt.datetime, tz: str) -> dt.datetime:
    """A stored time in the hall's zone."""
    return to_utc(moment).astimezone(zoneinfo.ZoneInfo(tz))


def business_date(moment: dt.datetime, tz: str) -> dt.date:
    """The hall's local date at a stored time: numbers restart when it changes."""
    return local(moment, tz).date()


def from_local(day: dt.date, at: dt.time, tz: str) -> dt.datetime:
    """A local date and time in the hall, in UTC."""
    return to_utc(dt.datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(tz)))


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    """The moment an operation acts at: the given time in UTC, or the clock's."""
    return to_utc(now) if now is not None else utcnow()
