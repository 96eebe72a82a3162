"""Chinese official working days (holidays and adjusted workdays), from chinese-calendar.

The calendar knows only the years the State Council has announced; past its data we count
Monday to Friday and say the answer is provisional.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import chinese_calendar


def is_workday(day: dt.date) -> tuple[bool, bool]:
    """(is it a working day, is the answer provisional)."""
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, True


def add_workdays(start: dt.date, days: int) -> tuple[dt.date, bool]:
    """The date ``days`` working days after ``start`` (start itself not counted).

    Returns (date, provisional): provisional when any day counted lies past the calendar's data.
    """
    day, provisional, left = start, False, days
    while left > 0:
        day += dt.timedelta(days=1)
        working, guessed = is_workday(day)
        provisional = provisional or guessed
        if working:
            left -= 1
    return day, provisional


def after_break(day: dt.date) -> bool:
    """True for the first working day after a holiday: after three or more days off in a row,
    or after days off that hold an official holiday (a Monday after a plain weekend is not)."""
    if not is_workday(day)[0]:
        return False
    off, back = 0, day - dt.timedelta(days=1)
    holiday = False
    while off < 30 and not is_workday(back)[0]:
        off += 1
        with contextlib.suppress(NotImplementedError):
            holiday = holiday or chinese_calendar.get_holiday_detail(back)[1] is not None
        back -= dt.timedelta(days=1)
    return off >= 3 or (off > 0 and holiday)
