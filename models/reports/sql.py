"""The SQL behind the reports (models.reports.report): four grouped queries, written per backend.

Durations are whole seconds between the stored times cut to the second (SQLite's
``unixepoch``; PostgreSQL's ``extract(epoch …)`` of ``date_trunc('second', …)``), so both
backends count alike. Waits and services come back as per-group histograms of whole minutes
rounded up (``(seconds + 59) / 60``), with exact sums, maxima and breach counts alongside: a
year of tickets is one scan per query, and the histogram rows are few (groups × minutes).

Local time (the hour a ticket was issued, the day a case was ready) uses the hall's zone:
``AT TIME ZONE`` on PostgreSQL; on SQLite a fixed offset modifier, or one per span between the
zone's offset changes inside the report's dates.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Date, String, TextClause, bindparam, text

BY_CHOICES = ("queue", "window", "clerk", "item", "hour", "day")
"""How a report can group its rows."""

_KEYS = {
    "queue": "t.queue_id",
    "window": "t.window",
    "clerk": "t.clerk_code",
    "item": "t.item_code",
    "day": "t.business_date",
}


@dataclass(frozen=True)
class Limits:
    """The hall's time limits in seconds: waits per queue, services per queue and per item."""

    wait: dict[int, int]
    """queue id → wait limit."""
    service: dict[int, int]
    """queue id → the queue's service time (for tickets whose item has none)."""


def offset_spans(tz: str, first: dt.date, last: dt.date) -> list[tuple[dt.datetime | None, int]]:
    """The zone's UTC offsets (minutes) between two dates: (from this UTC instant, offset).

    The first span starts at None (any earlier time); each later one where the offset changes,
    found to the minute.
    """
    zone = zoneinfo.ZoneInfo(tz)

    def offset(moment: dt.datetime) -> int:
        delta = moment.astimezone(zone).utcoffset()
        return int(delta.total_seconds() // 60) if delta is not None else 0

    moment = dt.datetime.combine(first - dt.timedelta(days=2), dt.time(0), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=2), dt.time(0), tzinfo=dt.UTC)
    spans: list[tuple[dt.datetime | None, int]] = [(None, offset(moment))]
    while moment < end:
        following = moment + dt.timedelta(days=1)
        if offset(following) != spans[-1][1]:
            low, high = moment, following
            while high - low > dt.timedelta(minutes=1):
                middle = low + dt.timedelta(minutes=(high - low) // dt.timedelta(minutes=2))
                low, high = (middle, high) if offset(middle) == spans[-1][1] else (low, middle)
            spans.append((high, offset(high)))
        moment = following
    return spans


class Dialect:
    """SQL fragments for one backend; ``spans`` are the hall's offsets (SQLite only)."""

    def __init__(self, name: str, spans: list[tuple[dt.datetime | None, int]]) -> None:
        self.sqlite = name == "sqlite"
        self.spans = spans

    def seconds(self, begin: str, end: str) -> str:
        """Whole seconds from one stored time to another (NULL if either is NULL)."""
        if self.sqlite:
            return f"(unixepoch({end}) - unixepoch({begin}))"
        return (
            f"CAST(extract(epoch FROM date_trunc('second', {end})) "
            f"- extract(epoch FROM date_trunc('second', {begin})) AS INTEGER)"
        )

    def duration(self, begin: str, end: str) -> str:
        """Whole seconds from one stored time to another, never below zero.

        A clock set back once stored a finish before its call (models.queue.ticketclock now clamps
        that on writing); such a row counts as no time, never as a negative one in a mean.
        """
        return f"CASE WHEN {end} < {begin} THEN 0 ELSE {self.seconds(begin, end)} END"

    def _shifted(self, template: str, column: str) -> str:
        # template has {col} and {mod}: a SQLite date function with a '+480 minutes' modifier.
        def one(minutes: int) -> str:
            return template.format(col=column, mod=f"{minutes:+d} minutes")

        if len(self.spans) == 1:
            return one(self.spans[0][1])
        parts = []
        for (_, minutes), (until, _) in zip(self.spans, self.spans[1:], strict=False):
            assert until is not None
            stamp = until.strftime("%Y-%m-%d %H:%M:%S.%f")
            parts.append(f"WHEN {column} < '{stamp}' THEN {one(minutes)}")
        return f"CASE {' '.join(parts)} ELSE {one(self.spans[-1][1])} END"

    def local_hour(self, column: str) -> str:
        """The hour (0–23) of a stored time in the hall's zone."""
        if self.sqlite:
            return self._shifted("CAST(strftime('%H', {col}, '{mod}') AS INTEGER)", column)
        return f"CAST(extract(hour FROM {column} AT TIME ZONE :tz) AS INTEGER)"

    def local_date(self, column: str) -> str:
        """The hall's local date of a stored time."""
        if self.sqlite:
            return self._shifted("date({col}, '{mod}')", column)
        return f"CAST({column} AT TIME ZONE :tz AS DATE)"

    def key(self, by: str) -> str:
        """The expression a report groups by."""
        if by == "hour":
            return self.local_hour("t.issued_at")
        return _KEYS[by]

    def scan(self, whole: bool) -> tuple[str, str]:
        """(table hint, subquery suffix) for the ticket scans.

        SQLite: a report over most of the history reads the table straight through rather than
        through the date index (a lookup per row), and ``LIMIT -1`` keeps the inner query a
        co-routine, so each duration is computed once per row, not once per aggregate.
        """
        if not self.sqlite:
            return "", ""
        return ("NOT INDEXED" if whole else ""), "LIMIT -1"


def _case(column: str, values: dict[int, int]) -> str:
    if not values:
        return "NULL"
    whens = " ".join(f"WHEN {int(k)} THEN {int(v)}" for k, v in sorted(values.items()))
    return f"CASE {column} {whens} END"


def _daily(daily: bool) -> tuple[str, str, str]:
    """(inner column, outer column, group list) for queries grouped by business date first."""
    if daily:
        return "t.business_date AS bd, ", "bd, ", "1, 2, 3"
    return "", "", "1, 2"


def wait_sql(
    d: Dialect, by: str, limits: Limits, whole: bool, *, dates: str, daily: bool = False
) -> str:
    """Per (key, wait minute): issued, served, called, no-shows, wait sum/max, breaches, and
    tickets closed at the day's end (expired, models.queue.dayclose).

    A transfer's ticket is not issued again: the citizen took one number (it keeps the first
    ticket's issue time). Its wait runs from the transfer (the first ticket's end), so no minute
    is counted twice. ``dates`` filters the tickets; ``daily`` puts their business date first in
    each row.
    """
    hint, suffix = d.scan(whole)
    inner, outer, groups = _daily(daily)
    queued = (
        "CASE WHEN t.parent_id IS NULL THEN t.issued_at "
        "ELSE (SELECT p.finished_at FROM ticket AS p WHERE p.id = t.parent_id) END"
    )
    wait = d.duration(queued, "t.called_at")
    return (
        f"SELECT {outer}k, (w + 59) / 60, count(f), count(CASE WHEN status = 'done' THEN 1 END), "
        "count(w), count(CASE WHEN status IN ('missed', 'void') THEN 1 END), sum(w), max(w), "
        "count(CASE WHEN w > wl THEN 1 END), count(CASE WHEN status = 'expired' THEN 1 END) "
        f"FROM (SELECT {inner}{d.key(by)} AS k, t.status AS status, {wait} AS w, "
        "CASE WHEN t.parent_id IS NULL THEN 1 END AS f, "
        f"{_case('t.queue_id', limits.wait)} AS wl FROM ticket AS t {hint} "
        f"WHERE {dates} {suffix}) AS x GROUP BY {groups}"
    )


def service_sql(
    d: Dialect, by: str, limits: Limits, whole: bool, *, dates: str, daily: bool = False
) -> str:
    """Per (key, service minute): services, sum, max, breaches of the item's (or queue's) time."""
    hint, suffix = d.scan(whole)
    inner, outer, groups = _daily(daily)
    service = d.duration("t.started_at", "t.finished_at")
    limit = f"coalesce(i.service_minutes * 60, {_case('t.queue_id', limits.service)})"
    return (
        f"SELECT {outer}k, (s + 59) / 60, count(*), sum(s), max(s), "
        "count(CASE WHEN s > sl THEN 1 END) "
        f"FROM (SELECT {inner}{d.key(by)} AS k, {service} AS s, {limit} AS sl "
        f"FROM ticket AS t {hint} LEFT JOIN service_item AS i ON i.code = t.item_code "
        f"WHERE {dates} AND t.started_at IS NOT NULL "
        f"AND t.finished_at IS NOT NULL {suffix}) AS x GROUP BY {groups}"
    )


def ratings_sql(d: Dialect, by: str, *, dates: str, daily: bool = False) -> str:
    """Per (key, level): ratings of the tickets in the report."""
    inner, _, groups = _daily(daily)
    return (
        f"SELECT {inner}{d.key(by)} AS k, r.level, count(*) FROM rating AS r "
        f"JOIN ticket AS t ON t.id = r.ticket_id WHERE {dates} GROUP BY {groups}"
    )


def cases_sql(d: Dialect, by: str, *, dates: str) -> str:
    """Per key: cases with a promised date, on time, overdue (see models.reports.report)."""
    done = d.local_date("coalesce(c.ready_at, c.picked_up_at)")
    return (
        "SELECT k, count(*), count(CASE WHEN r IS NOT NULL AND r <= p THEN 1 END), "
        "count(CASE WHEN (r IS NULL AND p < :today) OR r > p THEN 1 END) "
        f"FROM (SELECT {d.key(by)} AS k, c.promised_date AS p, {done} AS r "
        "FROM service_case AS c JOIN ticket AS t ON t.id = c.ticket_id "
        f"WHERE {dates} AND c.promised_date IS NOT NULL) AS x "
        "GROUP BY 1"
    )


def case_dates_sql(d: Dialect, by: str, *, dates: str) -> str:
    """Per (business date, key, promised date, local date ready): cases, for the rollups.

    Whether a case not ready yet is overdue depends on today, so a rollup keeps the dates and
    the counting is done when it is read (models.reports.rollups).
    """
    done = d.local_date("coalesce(c.ready_at, c.picked_up_at)")
    return (
        f"SELECT t.business_date, {d.key(by)} AS k, c.promised_date AS p, {done} AS r, count(*) "
        "FROM service_case AS c JOIN ticket AS t ON t.id = c.ticket_id "
        f"WHERE {dates} AND c.promised_date IS NOT NULL GROUP BY 1, 2, 3, 4"
    )


def part_sql(
    part: str,
    d: Dialect,
    by: str,
    limits: Limits,
    whole: bool,
    *,
    dates: str,
    daily: bool = False,
) -> str:
    """The query of one part of a report: wait, service, rating or case.

    ``daily`` puts the business date first in each row (the rollups), and cases come back by
    their dates then (:func:`case_dates_sql`).
    """
    if part == "wait":
        return wait_sql(d, by, limits, whole, dates=dates, daily=daily)
    if part == "service":
        return service_sql(d, by, limits, whole, dates=dates, daily=daily)
    if part == "rating":
        return ratings_sql(d, by, dates=dates, daily=daily)
    return case_dates_sql(d, by, dates=dates) if daily else cases_sql(d, by, dates=dates)


def day_spans(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Days as runs of consecutive dates: (first, last) of each run, in order."""
    spans: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if spans and spans[-1][1] + dt.timedelta(days=1) == day:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def dates_in(column: str, spans: list[tuple[dt.date, dt.date]]) -> tuple[str, dict[str, Any]]:
    """A filter for rows whose ``column`` falls in one of the spans, and its parameters.

    Ranges rather than a list of days, so each run is one index range (or one test of a scan).
    """
    if not spans:
        return "1 = 0", {}
    parts = [f"{column} BETWEEN :from{n} AND :to{n}" for n in range(len(spans))]
    params: dict[str, Any] = {}
    for n, (first, last) in enumerate(spans):
        params[f"from{n}"], params[f"to{n}"] = first, last
    return f"({' OR '.join(parts)})", params


_DATE_PARAM = re.compile(r":(start|end|today|from\d+|to\d+)\b")


def prepared(sql: str) -> TextClause:
    """A text query with its date and zone parameters typed (dates as ISO text on SQLite)."""
    params: list[BindParameter[Any]] = [
        bindparam(name, type_=Date) for name in dict.fromkeys(_DATE_PARAM.findall(sql))
    ]
    if ":tz" in sql:
        params.append(bindparam("tz", type_=String()))
    return text(sql).bindparams(*params)
