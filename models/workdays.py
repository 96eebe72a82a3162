"""Chinese official working days (holidays and adjusted workdays), from chinese-calendar.

The calendar knows only the years the State Council has announced; past its data we count
Monday to Friday and say the answer is provisional.
"""

from __future__ import annotations

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
