"""Reports for the hall manager (``mashangban report``): figures per queue, window, clerk, item,
hour or day over a range of business dates, with a totals row.

What each figure means (tickets are those whose business date is in the range):

- issued: tickets taken (at the kiosk, the command line, an appointment's check-in): a citizen
  is counted once, so a transfer's new ticket is not issued again (it counts in its target
  queue's called, served and waits, not in its issued);
- called: tickets with a call time (a requeued ticket waiting again has none); a transferred
  citizen is called once in each queue;
- served: tickets that ended done (a transferred ticket ended transferred: the citizen is served
  once, where the transfer ended);
- no-shows: tickets that ended missed or void; the no-show rate is no-shows ÷ called
  (None when nothing was called). A missed ticket not requeued by the day's end is made void
  then (models.queue.dayclose), so it stays a no-show;
- expired: tickets closed at the day's end still waiting (or left called or in service at a
  window overnight): citizens the day did not serve, shown beside the no-shows;
- wait: called − issued, over the called tickets (a transfer's ticket: called − the transfer,
  its first wait being the first ticket's); service: finished − started, over the tickets
  with both (done, and transferred ones for their time at the first window). Both are counted in
  whole seconds and shown in minutes: the mean and maximum exactly, p90 by nearest rank (the
  ⌈0.9·n⌉-th shortest) rounded up to a whole minute — the least whole number of minutes that at
  least 90 % stayed within. Computed from a per-group histogram of whole minutes, which a year
  of tickets fills in one scan, where an exact percentile would sort every duration;
- breaches: waits over the queue's ``wait_limit_minutes``; services over the item's
  ``service_minutes``, or the queue's when the item has none (or there is no item);
- ratings: counts per level, 5 非常满意 … 1 非常不满意, of the tickets in the row;
- cases (办件) with a promised date: on time when ready (or, if never marked ready, picked up)
  on or before the promised date, in the hall's local time; overdue when ready after it, or not
  ready and the promised date is before today. Cases not yet due are neither.

Rows group by the ticket: its queue, the window and clerk it ended at, its item, the local hour
it was issued, its business date. Tickets without a window, clerk or item form a row of their own.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.db import reading
from models.errors import DatabaseError, Refused
from models.hall import hall_settings
from models.reports.rollups import Plan as RollupPlan
from models.reports.rollups import basis as rollups_basis
from models.reports.rollups import build as build_rollups
from models.reports.rollups import build_steps
from models.reports.rollups import bump as bump_rollups
from models.reports.rollups import plan as rollup_plan
from models.reports.rollups import read as rollup_rows
from models.reports.sql import (
    BY_CHOICES,
    Dialect,
    Limits,
    dates_in,
    day_spans,
    offset_spans,
    part_sql,
    prepared,
)
from models.tables import Clerk, Queue, ServiceItem, Ticket
from models.text import reports
from models.timeutil import business_date, resolve_now

Q: Table = Queue.__table__  # type: ignore[attr-defined]
ITEM: Table = ServiceItem.__table__  # type: ignore[attr-defined]
CLERK: Table = Clerk.__table__  # type: ignore[attr-defined]
T: Table = Ticket.__table__  # type: ignore[attr-defined]

LEVELS = (5, 4, 3, 2, 1)
"""Rating levels in the order reports show them."""
PARTS = ("wait", "service", "rating", "case")
"""The parts of a report, one query each (models.reports.sql)."""
STEPS = len(PARTS)
"""Steps of a report read from rollups or counted live (building rollups adds more)."""


@dataclass(frozen=True)
class ReportRow:
    """The figures of one group (or of the whole range, for the totals row)."""

    key: str
    """Queue prefix, window number, clerk code, item code, hour (09), date; "" for none."""
    label_zh: str
    label_en: str
    issued: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    no_show_rate: float | None = None
    expired: int = 0
    """Closed at the day's end without being served (models.queue.dayclose)."""
    wait_mean: float | None = None
    """Minutes; None when nothing was called."""
    wait_p90: int | None = None
    wait_max: float | None = None
    wait_breaches: int = 0
    services: int = 0
    service_mean: float | None = None
    service_p90: int | None = None
    service_max: float | None = None
    service_breaches: int = 0
    ratings: tuple[int, ...] = (0, 0, 0, 0, 0)
    """Counts for levels 5, 4, 3, 2, 1."""
    cases: int = 0
    cases_on_time: int = 0
    cases_overdue: int = 0


@dataclass(frozen=True)
class Report:
    """A report: its range and grouping, one row per group, and the totals."""

    by: str
    start: dt.date
    end: dt.date
    today: dt.date
    rows: list[ReportRow]
    total: ReportRow

    def to_json(self) -> dict[str, Any]:
        """Plain data (dates as ISO text)."""
        data = asdict(self)
        for name in ("start", "end", "today"):
            data[name] = data[name].isoformat()
        return data


@dataclass
class _Sums:
    """Running figures of one group, merged from the query rows."""

    issued: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    expired: int = 0
    wait_sum: int = 0
    wait_max: int | None = None
    wait_breaches: int = 0
    wait_minutes: Counter[int] = field(default_factory=Counter)
    services: int = 0
    service_sum: int = 0
    service_max: int | None = None
    service_breaches: int = 0
    service_minutes: Counter[int] = field(default_factory=Counter)
    ratings: Counter[int] = field(default_factory=Counter)
    cases: int = 0
    on_time: int = 0
    overdue: int = 0

    def add(self, other: _Sums) -> None:
        for name in ("issued", "called", "served", "no_shows", "expired", "wait_sum"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("wait_breaches", "services", "service_sum", "service_breaches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("cases", "on_time", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wait_max = _max(self.wait_max, other.wait_max)
        self.service_max = _max(self.service_max, other.service_max)
        self.wait_minutes.update(other.wait_minutes)
        self.service_minutes.update(other.service_minutes)
        self.ratings.update(other.ratings)


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def p90_minutes(histogram: Counter[int], n: int) -> int | None:
    """The nearest-rank 90th percentile of a histogram of whole minutes (None when empty)."""
    if n <= 0:
        return None
    rank = -(-90 * n // 100)  # ⌈0.9·n⌉ in integers
    seen = 0
    for minutes in sorted(histogram):
        seen += histogram[minutes]
        if seen >= rank:
            return minutes
    return max(histogram)


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else seconds / 60


def _row(key: str, label: tuple[str, str], s: _Sums) -> ReportRow:
    return ReportRow(
        key=key,
        label_zh=label[0],
        label_en=label[1],
        issued=s.issued,
        called=s.called,
        served=s.served,
        no_shows=s.no_shows,
        no_show_rate=s.no_shows / s.called if s.called else None,
        expired=s.expired,
        wait_mean=s.wait_sum / s.called / 60 if s.called else None,
        wait_p90=p90_minutes(s.wait_minutes, s.called),
        wait_max=_minutes(s.wait_max),
        wait_breaches=s.wait_breaches,
        services=s.services,
        service_mean=s.service_sum / s.services / 60 if s.services else None,
        service_p90=p90_minutes(s.service_minutes, s.services),
        service_max=_minutes(s.service_max),
        service_breaches=s.service_breaches,
        ratings=tuple(s.ratings.get(level, 0) for level in LEVELS),
        cases=s.cases,
        cases_on_time=s.on_time,
        cases_overdue=s.overdue,
    )


def _whole_history(session: Session, start: dt.date, end: dt.date) -> bool:
    """True when the range covers at least half of the days with tickets (scan the table)."""
    first, last = session.execute(
        select(func.min(T.c.business_date), func.max(T.c.business_date))
    ).one()
    if first is None:
        return False
    first, last = dt.date.fromisoformat(str(first)), dt.date.fromisoformat(str(last))
    covered = (min(end, last) - max(start, first)).days + 1
    return covered * 2 >= (last - first).days + 1


def _limits(session: Session) -> Limits:
    queues = session.execute(select(Q.c.id, Q.c.wait_limit_minutes, Q.c.service_minutes)).all()
    return Limits(
        wait={int(q): int(w) * 60 for q, w, _ in queues},
        service={int(q): int(s) * 60 for q, _, s in queues},
    )


def _norm(by: str, value: Any) -> Any:
    """A group value as the same Python type on both backends."""
    if value is None:
        return None
    if by == "day":
        return dt.date.fromisoformat(str(value)[:10])
    if by in ("queue", "window", "hour"):
        return int(value)
    return str(value)


def report(
    engine: Engine,
    *,
    start: dt.date,
    end: dt.date,
    by: str = "queue",
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    rollups: bool = True,
) -> Report:
    """The report for business dates ``start`` to ``end`` (both included), grouped ``by``.

    ``now`` fixes "today" for overdue cases; ``progress(done, total)`` is called after each
    step (the four parts, and the rollups' steps when days are rolled up first). Days before
    today are read from their rollups (models.reports.rollups), counted and stored first where there
    are none or they no longer stand; ``rollups=False`` counts every day from the tickets.
    Raises Refused for an unknown grouping or a range that ends before it starts.
    """
    if by not in BY_CHOICES:
        raise Refused("report_bad_by", by=by, choices=", ".join(BY_CHOICES))
    if start > end:
        raise Refused("report_bad_range", start=start, end=end)
    with reading(engine) as session:
        tz = hall_settings(session).timezone
        today = business_date(resolve_now(now), tz)
        dialect = Dialect(engine.dialect.name, offset_spans(tz, start, max(end, today)))
        limits = _limits(session)
        first = _first_day(session)
        digest = rollups_basis(tz, limits, _item_minutes(session))
        closed = (max(start, first or end), min(end, today - dt.timedelta(days=1)))
        found = None
        if rollups and first is not None and closed[0] <= closed[1]:
            found = rollup_plan(session, by=by, start=closed[0], end=closed[1], digest=digest)
    steps = STEPS + (build_steps(len(found.build)) if found and found.build else 0)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, steps), steps)

    rolled = _roll_up(
        engine, found, dialect=dialect, by=by, limits=limits, tz=tz, digest=digest, tick=tick
    )
    skip = set(rolled)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    live = day_spans(d for d in days if d not in skip and (first is None or d >= first))
    with reading(engine) as session:
        whole = bool(live) and _whole_history(session, live[0][0], live[-1][1])
        dates, params = dates_in("t.business_date", live)
        params.update(today=today, tz=tz)
        groups: dict[Any, _Sums] = {}
        for part in PARTS:
            rows = rollup_rows(session, by=by, part=part, days=rolled, today=today)
            if live:
                sql = part_sql(part, dialect, by, limits, whole, dates=dates)
                wanted = {k: v for k, v in params.items() if f":{k}" in sql}
                rows += session.execute(prepared(sql), wanted).all()
            _fold(part, rows, lambda k: groups.setdefault(_norm(by, k), _Sums()))
            tick()
        labels = _labels(session, by, list(groups))
    total = _Sums()
    for s in groups.values():
        total.add(s)
    # Groups in their natural order (queues by id: the hall file's order), "none" last.
    ordered = sorted(groups, key=lambda k: (1, "") if k is None else (0, k))
    rows = [_row(_key_text(by, k, labels), labels.get(k, _NONE), groups[k]) for k in ordered]
    return Report(by, start, end, today, rows, _row("total", reports.pair("total"), total))


def prepare_rollups(
    engine: Engine, *, now: dt.datetime | None = None
) -> list[tuple[str, int, float]]:
    """Roll up every closed day for every grouping, so that no report has to (a nightly job).

    Returns (grouping, days now rolled up, seconds taken) for each grouping; a day already
    rolled up and still standing costs nothing.
    """
    with reading(engine) as session:
        today = business_date(resolve_now(now), hall_settings(session).timezone)
        first = _first_day(session)
    yesterday = today - dt.timedelta(days=1)
    done = []
    for by in BY_CHOICES:
        began = time.perf_counter()
        if first is not None and first <= yesterday:
            report(engine, start=first, end=yesterday, by=by, now=now)
        days = 0 if first is None else max((yesterday - first).days + 1, 0)
        done.append((by, days, time.perf_counter() - began))
    return done


def _roll_up(
    engine: Engine,
    found: RollupPlan | None,
    *,
    dialect: Dialect,
    by: str,
    limits: Limits,
    tz: str,
    digest: str,
    tick: Callable[[], None],
) -> list[dt.date]:
    """Store the rollups a plan found missing or stale; the days that can be read from rollups.

    A database that cannot take the rollups now (busy, read-only, another report storing the
    same days at this moment on PostgreSQL) only makes the report count those days from the
    tickets.
    """
    if found is None:
        return []
    try:
        if found.build:
            with reading(engine) as session:
                whole = _whole_history(session, found.build[0], found.build[-1])
            build_rollups(
                engine, dialect=dialect, by=by, limits=limits, digest=digest,
                days=found.build, whole=whole, tz=tz, tick=tick,
            )  # fmt: skip
        if found.bump:
            bump_rollups(engine, by=by, days=found.valid, head=found.head)
    except (DatabaseError, IntegrityError):  # busy, read-only, or another report storing them
        return found.valid
    return sorted(found.valid + found.build)


def _fold(part: str, rows: list[Any], sums: Callable[[Any], _Sums]) -> None:
    """Add one part's rows (live or rolled up, the same shape) to the groups' running figures."""
    if part == "wait":
        for k, minute, issued, served, called, no_shows, wsum, wmax, breaches, expired in rows:
            s = sums(k)
            s.issued += int(issued)
            s.expired += int(expired)
            s.served += int(served)
            s.called += int(called)
            s.no_shows += int(no_shows)
            s.wait_breaches += int(breaches)
            if called:
                s.wait_sum += int(wsum)
                s.wait_max = _max(s.wait_max, int(wmax))
                s.wait_minutes[int(minute)] += int(called)
    elif part == "service":
        for k, minute, n, ssum, smax, breaches in rows:
            s = sums(k)
            s.services += int(n)
            s.service_sum += int(ssum)
            s.service_max = _max(s.service_max, int(smax))
            s.service_breaches += int(breaches)
            s.service_minutes[int(minute)] += int(n)
    elif part == "rating":
        for k, level, n in rows:
            sums(k).ratings[int(level)] += int(n)
    else:
        for k, n, on_time, overdue in rows:
            s = sums(k)
            s.cases, s.on_time, s.overdue = s.cases + n, s.on_time + on_time, s.overdue + overdue


def _first_day(session: Session) -> dt.date | None:
    """The business date of the first ticket (None for an empty hall)."""
    first = session.execute(select(func.min(T.c.business_date))).scalar()
    return None if first is None else dt.date.fromisoformat(str(first)[:10])


def _item_minutes(session: Session) -> dict[str, int | None]:
    """Each item's own service time (minutes), which the service breaches count against."""
    return {str(c): m for c, m in session.execute(select(ITEM.c.code, ITEM.c.service_minutes))}


_NONE = reports.pair("none")


def _labels(session: Session, by: str, keys: list[Any]) -> dict[Any, tuple[str, str]]:
    """What each group is called, in Chinese and English."""
    present = [k for k in keys if k is not None]
    out: dict[Any, tuple[str, str]] = {}
    if by == "queue":
        for q in session.execute(select(Q.c.id, Q.c.prefix, Q.c.name_zh, Q.c.name_en)):
            out[q[0]] = (f"{q[1]} {q[2]}", f"{q[1]} {q[3]}")
    elif by == "window":
        out = {k: reports.pair("window_label", window=k) for k in present}
    elif by == "clerk":
        names = dict(session.execute(select(CLERK.c.code, CLERK.c.name)).all())
        out = {k: (f"{k} {names.get(k, '')}".strip(), k) for k in present}
    elif by == "item":
        items = session.execute(select(ITEM.c.code, ITEM.c.name_zh, ITEM.c.name_en))
        names = {code: (zh, en) for code, zh, en in items}
        for k in present:
            zh, en = names.get(k, ("", ""))
            out[k] = (f"{k} {zh}".strip(), f"{k} {en}".strip())
    elif by == "hour":
        out = {k: (f"{k:02d}:00–{k + 1:02d}:00",) * 2 for k in present}
    else:
        out = {k: (k.isoformat(), k.isoformat()) for k in present}
    return out


def _key_text(by: str, key: Any, labels: dict[Any, tuple[str, str]]) -> str:
    if key is None:
        return ""
    if by == "queue":
        return labels.get(key, (str(key),))[0].split(" ")[0]
    if by == "hour":
        return f"{key:02d}"
    if by == "day":
        return str(key.isoformat())
    return str(key)


def issued_per(engine: Engine, *, start: dt.date, end: dt.date, unit: str) -> list[tuple[str, int]]:
    """Tickets issued per local hour (``unit`` "hour") or per business date ("day"), in order.

    One count query, for the chart under a report; a transfer's ticket is not issued again.
    """
    if unit not in ("hour", "day"):
        raise Refused("report_bad_by", by=unit, choices="hour, day")
    with reading(engine) as session:
        tz = hall_settings(session).timezone
        dialect = Dialect(engine.dialect.name, offset_spans(tz, start, end))
        sql = (
            f"SELECT {dialect.key(unit)} AS k, count(*) FROM ticket AS t "
            "WHERE t.business_date BETWEEN :start AND :end AND t.parent_id IS NULL "
            "GROUP BY 1 ORDER BY 1"
        )
        params = {"start": start, "end": end, "tz": tz}
        rows = session.execute(
            prepared(sql), {k: v for k, v in params.items() if f":{k}" in sql}
        ).all()
    out = []
    for k, n in rows:
        key = _norm(unit, k)
        out.append((f"{key:02d}:00" if unit == "hour" else key.isoformat(), int(n)))
    return out
