"""Rollups of closed days: the report queries' rows kept per business date, so that a report over
a year reads a few hundred thousand small rows instead of scanning a million tickets four times.

A rollup holds, for one grouping (``by``) and one day, exactly the rows the live queries of
models.reports.sql return for that day (waits and services as per-minute histograms, ratings per
level, cases per promised and ready date); reports add them up with the same code as live rows.
Only days before today are rolled up, and a rollup stands only while nothing has changed:

- each day's row in ``report_rollup_day`` keeps the newest event number it has seen; an event
  for one of that day's tickets with a later number (a late finish, a rating, a case made ready
  or picked up) makes the day stale, and it is counted again from the tickets;
- it also keeps a digest of what the counting depends on (the hall's zone and time limits, and
  this module's version), so reloading the hall with other limits counts every day again.

Every state change of a ticket writes an event naming it (DESIGN.md), which is what makes the
first rule enough. Building reads in one transaction and writes in short ones of a month at a
time, so kiosks and counters are not held up behind a long report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, delete, insert, select, text, update
from sqlmodel import Session

from models.db import reading, writing
from models.events import head_seq
from models.reports.sql import Dialect, Limits, dates_in, day_spans, part_sql, prepared
from models.tables import ReportRollup, ReportRollupDay

ROLLUP: Table = ReportRollup.__table__  # type: ignore[attr-defined]
DAY: Table = ReportRollupDay.__table__  # type: ignore[attr-defined]

VERSION = 4
"""Raise when the report queries change what they count: every rollup is then counted again."""
WIDTH = {"wait": 8, "service": 4, "rating": 1, "case": 2}
"""Figures (columns c1…) per row of each part, after the group and the bucket."""
COLUMNS = max(WIDTH.values())
"""Figure columns in a rollup row."""
CHUNK_DAYS = 31
"""Days written per write transaction."""
LOCK_KEY = 0x6D73_6272  # "msbr"
"""PostgreSQL advisory lock held while rollups are stored."""
BUMP_AFTER = 5000
"""Events a check may read before the valid days are marked as checked up to the newest."""

# Reading the rollups back: sums, and maxima for the maximum columns. A case row (promised date
# in the bucket, ready date in c1, cases in c2) is counted on time or overdue against today,
# as the live query does.
_READ = {
    "wait": "bucket, sum(c1), sum(c2), sum(c3), sum(c4), sum(c5), max(c6), sum(c7), sum(c8)",
    "service": "bucket, sum(c1), sum(c2), max(c3), sum(c4)",
    "rating": "bucket, sum(c1)",
    "case": "sum(c2), coalesce(sum(CASE WHEN c1 <= bucket THEN c2 END), 0), "
    "coalesce(sum(CASE WHEN (c1 IS NULL AND bucket < :today_n) OR c1 > bucket THEN c2 END), 0)",
}


def basis(tz: str, limits: Limits, item_minutes: dict[str, int | None]) -> str:
    """A digest of what a rollup's figures depend on besides the tickets."""
    data = [VERSION, tz, sorted(limits.wait.items()), sorted(limits.service.items())]
    data.append(sorted(item_minutes.items()))
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


def as_ordinal(value: Any) -> int | None:
    """A date from either backend (or an ordinal already) as its ordinal."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return value.toordinal()
    return dt.date.fromisoformat(str(value)[:10]).toordinal()


@dataclass(frozen=True)
class Plan:
    """What a report over closed days finds: days rolled up and valid, days to count again."""

    valid: list[dt.date]
    build: list[dt.date]
    head: int
    """The newest event when the check was made."""
    bump: bool
    """Whether the valid days should be marked as checked up to ``head``."""


def plan(session: Session, *, by: str, start: dt.date, end: dt.date, digest: str) -> Plan:
    """Which of the days ``start``…``end`` (all before today) have a rollup that still stands."""
    head = head_seq(session)
    seen: dict[dt.date, int] = {}
    for day, upto, kept in session.execute(
        select(DAY.c.business_date, DAY.c.upto_seq, DAY.c.basis).where(
            DAY.c.by_kind == by, DAY.c.business_date.between(start, end)
        )
    ):
        if kept == digest:
            seen[dt.date.fromisoformat(str(day)[:10])] = int(upto)
    since = min(seen.values(), default=head)
    if seen and since < head:
        touched = session.execute(
            prepared(
                # From the new events to their tickets (CROSS JOIN keeps SQLite in this order:
                # else it walks every ticket of the range, 0.3 s for a year, on every report).
                "SELECT t.business_date, max(e.seq) FROM event AS e CROSS JOIN ticket AS t "
                "WHERE t.id = e.ticket_id AND e.seq > :since "
                "AND t.business_date BETWEEN :start AND :end GROUP BY 1"
            ),
            {"since": since, "start": start, "end": end},
        )
        for day, seq in touched:
            day = dt.date.fromisoformat(str(day)[:10])
            if day in seen and int(seq) > seen[day]:
                del seen[day]
    every = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    build = [day for day in every if day not in seen]
    return Plan(sorted(seen), build, head, bool(seen) and head - since > BUMP_AFTER)


def build(
    engine: Engine,
    *,
    dialect: Dialect,
    by: str,
    limits: Limits,
    digest: str,
    days: list[dt.date],
    whole: bool,
    tz: str,
    tick: Callable[[], None] = lambda: None,
) -> None:
    """Count ``days`` from the tickets and store their rollups (replacing any stale ones);
    ``tick`` is called after each of the :func:`build_steps` steps.

    Raises DatabaseError when the database cannot be read or written; nothing is half-stored:
    each month of days is written in one transaction.
    """
    spans = day_spans(days)
    dates, params = dates_in("t.business_date", spans)
    rows: dict[dt.date, list[tuple[Any, ...]]] = {day: [] for day in days}
    # Stored with the driver's own executemany: a year by window is half a million rows.
    sqlite = engine.dialect.name == "sqlite"
    with reading(engine) as session:
        # The newest event first: everything up to it is in what is read next.
        head = head_seq(session)
        for part in WIDTH:
            sql = part_sql(part, dialect, by, limits, whole, dates=dates, daily=True)
            wanted = {**params, "tz": tz} if ":tz" in sql else params
            for row in session.execute(prepared(sql), wanted):
                day = dt.date.fromisoformat(str(row[0])[:10])
                stored_day = day.isoformat() if sqlite else day  # as SQLAlchemy stores a Date
                rows[day].append(_stored(stored_day, by, part, row[1:]))
            tick()
    for n in range(0, len(days), CHUNK_DAYS):
        _store(engine, by, days[n : n + CHUNK_DAYS], rows, head, digest)
        tick()


def build_steps(days: int) -> int:
    """The steps :func:`build` reports for this many days: a query per part, a store per month."""
    return len(WIDTH) + -(-days // CHUNK_DAYS)


def _stored(day: Any, by: str, part: str, row: Iterable[Any]) -> tuple[Any, ...]:
    """A rollup row as stored: day, grouping, part, group as text, bucket, figures c1…c8."""
    key, bucket, *figures = row
    if part == "case":  # promised and ready dates as ordinals
        bucket, figures[0] = as_ordinal(bucket), as_ordinal(figures[0])
    figures += [None] * (COLUMNS - len(figures))  # one shape for every row of a batch insert
    return (
        day,
        by,
        part,
        None if key is None else _key_text(key),
        None if bucket is None else int(bucket),
        *(None if value is None else int(value) for value in figures),
    )


def _key_text(key: Any) -> str:
    return key.isoformat() if isinstance(key, dt.date) else str(key)


def _store(
    engine: Engine,
    by: str,
    days: list[dt.date],
    rows: dict[dt.date, list[tuple[Any, ...]]],
    head: int,
    digest: str,
) -> None:
    with writing(engine) as session:
        if engine.dialect.name == "postgresql":
            # One store at a time (SQLite's BEGIN IMMEDIATE does this already): otherwise two
            # reports storing the same day at once could each keep their rows, counted twice.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        for first, last in day_spans(days):
            for table in (ROLLUP, DAY):
                session.execute(
                    delete(table).where(
                        table.c.by_kind == by, table.c.business_date.between(first, last)
                    )
                )
        batch = [row for day in days for row in rows[day]]
        if batch:
            mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
            columns = ["business_date", "by_kind", "part", "group_key", "bucket"]
            columns += [f"c{n}" for n in range(1, COLUMNS + 1)]
            session.connection().exec_driver_sql(
                f"INSERT INTO report_rollup ({', '.join(columns)}) "
                f"VALUES ({', '.join([mark] * len(columns))})",
                batch,
            )
        session.execute(
            insert(DAY),
            [{"business_date": d, "by_kind": by, "upto_seq": head, "basis": digest} for d in days],
        )


def bump(engine: Engine, *, by: str, days: list[dt.date], head: int) -> None:
    """Mark valid days as checked up to ``head``, so the next check reads fewer events."""
    with writing(engine) as session:
        for first, last in day_spans(days):
            session.execute(
                update(DAY)
                .where(DAY.c.by_kind == by, DAY.c.business_date.between(first, last))
                .where(DAY.c.upto_seq < head)
                .values(upto_seq=head)
            )


def read(session: Session, *, by: str, part: str, days: list[dt.date], today: dt.date) -> list[Any]:
    """The rolled-up rows of ``part`` over ``days``, added up: shaped like the live rows."""
    if not days:
        return []
    dates, params = dates_in("business_date", day_spans(days))
    groups = "1" if part == "case" else "1, 2"
    sql = (
        f"SELECT group_key, {_READ[part]} FROM report_rollup "
        f"WHERE by_kind = :by AND part = :part AND {dates} GROUP BY {groups}"
    )
    params.update(by=by, part=part)
    if part == "case":
        params["today_n"] = today.toordinal()
    return list(session.execute(prepared(sql), params).all())
