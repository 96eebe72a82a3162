"""What the hall's past says about a day: arrivals, item mix, service times, no-shows, transfers.

Arrivals per queue and period are the mean over the past days of the same kind: the same
weekday, and — for the first working day after a holiday — scaled by how much busier such days
have been than ordinary ones. Service times are the recorded ones (from the citizen at the
window to the end), per item, drawn as they were (not a fitted mean). A past day's staffing is
the windows that called or served someone in each period.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Float, cast, func, select

from models.db import reading
from models.errors import Refused
from models.hall import HallConfig, hall_config
from models.planning.simulate import DayModel, QueueModel
from models.queue.ticketrows import T
from models.tables import Queue
from models.timeutil import from_local
from models.workdays import after_break

MIN_DAYS = 4
"""Past days of the same weekday needed before the planner answers."""
MIN_SERVICES = 30
"""Recorded services needed (all items together)."""
SAMPLES_PER_ITEM = 4000
"""The most recent services kept per item (enough for the shape; bounded memory)."""
_SERVED = ("done", "transferred")


@dataclass(slots=True)
class Row:
    """One past ticket, its times in local seconds since midnight."""

    day: dt.date
    queue: str
    item: str
    priority: bool
    status: str
    issued: float
    called: float | None
    started: float | None
    finished: float | None
    misses: int
    root: bool
    window: int | None
    parent_queue: str | None = None


@dataclass
class History:
    """The past tickets between two dates, read once."""

    hall: HallConfig
    start: dt.date
    end: dt.date
    rows: list[Row]
    by_day: dict[dt.date, list[Row]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for row in self.rows:
            self.by_day.setdefault(row.day, []).append(row)


def _epoch(engine: Engine, column: Any) -> Any:
    """A stored time as seconds since 1970 (UTC), computed by the database: far quicker than
    making a datetime of every time and subtracting (SQLite keeps UTC text, PostgreSQL a
    timestamptz)."""
    if engine.dialect.name == "sqlite":
        seconds = (func.julianday(column) - 2440587.5) * 86400.0
    else:
        seconds = func.extract("epoch", column)
    return cast(seconds, Float)


def load_history(engine: Engine, *, start: dt.date, end: dt.date) -> History:
    """Every ticket with a business date from ``start`` to ``end``."""
    with reading(engine) as session:
        hall = hall_config(session)
        prefixes = {
            int(i): str(p)
            for i, p in session.execute(select(Queue.id, Queue.prefix))  # type: ignore[call-overload]
        }
        result = session.execute(
            select(
                T.c.id, T.c.business_date, T.c.queue_id, T.c.item_code, T.c.priority,
                T.c.status, _epoch(engine, T.c.issued_at), _epoch(engine, T.c.called_at),
                _epoch(engine, T.c.started_at), _epoch(engine, T.c.finished_at),
                T.c.misses, T.c.parent_id, T.c.window,
            ).where(T.c.business_date.between(start, end))
        )  # fmt: skip
        raw = result.all()
    tz = hall.hall.timezone
    queue_of_id: dict[int, str] = {}
    rows = []
    midnights: dict[dt.date, float] = {}
    parents = []
    for tid, day, queue_id, item, priority, status, issued, called, started, finished, misses, \
            parent, window in raw:  # fmt: skip
        midnight = midnights.get(day)
        if midnight is None:
            midnight = midnights[day] = from_local(day, dt.time(0), tz).timestamp()
        prefix = prefixes.get(queue_id, "?")
        queue_of_id[tid] = prefix
        rows.append(
            Row(
                day, prefix, item or "", priority != "normal", status,
                issued - midnight if issued is not None else 0.0,
                called - midnight if called is not None else None,
                started - midnight if started is not None else None,
                finished - midnight if finished is not None else None,
                misses or 0, parent is None, window,
            )
        )  # fmt: skip
        if parent is not None:
            parents.append((rows[-1], parent))
    for row, parent in parents:
        row.parent_queue = queue_of_id.get(parent)
    return History(hall=hall, start=start, end=end, rows=rows)


@dataclass(frozen=True)
class Span:
    """The day's timeline: the first period's local start and the periods' length."""

    start_s: int
    period_s: int
    periods: int

    def label(self, period: int) -> str:
        """The local time a period starts, HH:MM."""
        s = self.start_s + period * self.period_s
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

    def period_of(self, local_s: float) -> int | None:
        """The period a local time falls in, None outside the day."""
        p = math.floor((local_s - self.start_s) / self.period_s)
        return p if 0 <= p < self.periods else None


def day_span(hall: HallConfig, period_minutes: int) -> Span:
    """From the earliest opening to the latest closing of the hall and its queues."""
    ranges = [*hall.hall.hours, *(h for q in hall.queue for h in q.hours)]
    starts, ends = [], []
    for text in ranges:
        a, b = text.split("-")
        starts.append(int(a[:2]) * 3600 + int(a[3:]) * 60)
        ends.append(int(b[:2]) * 3600 + int(b[3:]) * 60)
    start, end = min(starts), max(ends)
    start -= start % (period_minutes * 60)
    period_s = period_minutes * 60
    return Span(start, period_s, math.ceil((end - start) / period_s))


@dataclass(frozen=True)
class Learned:
    """A day's model as learnt, with what it was learnt from."""

    model: DayModel
    span: Span
    day: dt.date
    after_break: bool
    days_used: int
    busier: float
    """How much busier the first working days after a holiday were (1 when not one)."""
    break_days: int


def staffing_of(rows: list[Row], span: Span) -> tuple[frozenset[int], ...]:
    """The windows that called or served someone in each period of a past day."""
    open_: list[set[int]] = [set() for _ in range(span.periods)]
    for row in rows:
        if row.window is None or row.called is None:
            continue
        stop = row.finished if row.finished is not None else row.called
        first = span.period_of(row.called)
        last = span.period_of(max(stop, row.called))
        if first is None:
            continue
        for p in range(first, (last if last is not None else span.periods - 1) + 1):
            open_[p].add(row.window)
    return tuple(frozenset(s) for s in open_)


def learn(
    history: History,
    day: dt.date,
    *,
    period_minutes: int = 30,
    min_days: int = MIN_DAYS,
    staffing: tuple[frozenset[int], ...] | None = None,
    target_minutes: float = 15,
) -> Learned:
    """The model of ``day`` from the history before it. Refused (plan_history_short) with fewer
    than ``min_days`` past days of the same weekday, (plan_no_services) without services."""
    hall = history.hall
    span = day_span(hall, period_minutes)
    past = {d: rows for d, rows in history.by_day.items() if d < day}
    breaks = {d: after_break(d) for d in past}
    same = [d for d in past if d.weekday() == day.weekday() and not breaks[d]]
    if len(same) < min_days:
        raise Refused(
            "plan_history_short", day=day, weekday=_weekday(day), days=len(same),
            need=min_days, start=history.start, end=history.end,
        )  # fmt: skip
    is_break = after_break(day)
    busier, break_days = 1.0, 0
    if is_break:
        after = [d for d in past if breaks[d]]
        ordinary = [d for d in past if not breaks[d]]
        break_days = len(after)
        if after and ordinary:
            roots = {d: sum(1 for r in past[d] if r.root) for d in past}
            busier = statistics.fmean(roots[d] for d in after) / max(
                statistics.fmean(roots[d] for d in ordinary), 1e-9
            )
    prefixes = [q.prefix for q in hall.queue]
    counts = {p: [0.0] * span.periods for p in prefixes}
    items: dict[str, Counter[str]] = {p: Counter() for p in prefixes}
    priority = Counter[str]()
    issued = Counter[str]()
    for d in same:
        for r in past[d]:
            if not r.root or r.queue not in counts:
                continue
            p = span.period_of(r.issued)
            if p is not None:
                counts[r.queue][p] += 1
            items[r.queue][r.item] += 1
            issued[r.queue] += 1
            priority[r.queue] += r.priority
    services: dict[str, list[float]] = defaultdict(list)
    walks: list[float] = []
    called, missed, came_back = Counter[str](), Counter[str](), Counter[str]()
    served, transferred = Counter[str](), Counter[str]()
    transfer_to: dict[str, Counter[str]] = defaultdict(Counter)
    for d in sorted(past, reverse=True):  # the most recent services first
        for r in past[d]:
            if r.called is not None or r.misses:
                called[r.queue] += 1 + r.misses
                missed[r.queue] += r.misses
                came_back[r.queue] += r.misses and r.status in (*_SERVED, "waiting", "called")
            if r.status in _SERVED and r.started is not None and r.finished is not None:
                served[r.queue] += 1
                transferred[r.queue] += r.status == "transferred"
                length = r.finished - r.started
                if 0 <= length < 8 * 3600:
                    for key in (r.item if r.root else "", "@" + r.queue, ""):
                        if key and len(services[key]) < SAMPLES_PER_ITEM:
                            services[key].append(length)
                    if len(services[""]) < SAMPLES_PER_ITEM * 4:
                        services[""].append(length)
                if r.called is not None and 0 <= r.started - r.called < 1800 and len(walks) < 5000:
                    walks.append(r.started - r.called)
            if not r.root and r.parent_queue:
                transfer_to[r.parent_queue][r.queue] += 1
    if len(services[""]) < MIN_SERVICES:
        raise Refused(
            "plan_no_services", days=len(past), services=len(services[""]), need=MIN_SERVICES
        )
    scale = busier / len(same)
    totals = [sum(1 for r in past[d] if r.root) for d in same]
    day_sd = 0.0
    if len(totals) >= 3 and min(totals) > 0:
        logs = [math.log(n) for n in totals]
        # The spread of whole days beyond the Poisson chance the simulation draws anyway.
        day_sd = math.sqrt(max(0.0, statistics.variance(logs) - 1 / statistics.fmean(totals)))
    queues = []
    for prefix in prefixes:
        mix = items[prefix] or Counter({"": 1})
        misses = missed[prefix]
        queues.append(
            QueueModel(
                prefix=prefix,
                rates=tuple(c * scale for c in counts[prefix]),
                items=tuple(mix),
                item_weights=tuple(float(n) for n in mix.values()),
                priority_share=priority[prefix] / issued[prefix] if issued[prefix] else 0.0,
                no_show=misses / called[prefix] if called[prefix] else 0.0,
                returns=came_back[prefix] / misses if misses else 0.0,
                transfer=transferred[prefix] / served[prefix] if served[prefix] else 0.0,
                transfer_to=tuple((q, float(n)) for q, n in transfer_to[prefix].items()),
            )
        )
    settings = hall.hall
    model = DayModel(
        queues=tuple(queues),
        windows=tuple((w.number, tuple(w.queues)) for w in hall.window),
        services={k: tuple(sorted(v)) for k, v in services.items() if v},
        period_s=span.period_s,
        periods=span.periods,
        staffing=staffing
        or tuple(frozenset(w.number for w in hall.window) for _ in range(span.periods)),
        priority_run=settings.priority_run,
        requeue_offset=settings.requeue_offset,
        max_misses=settings.max_misses,
        walk_s=statistics.median(walks) if walks else 30.0,
        target_s=target_minutes * 60,
        day_sd=day_sd,
    )
    return Learned(model, span, day, is_break, len(same), busier, break_days)


def _weekday(day: dt.date) -> str:
    return f"星期{'一二三四五六日'[day.weekday()]} {day.strftime('%A')}"


@dataclass(frozen=True)
class PastDay:
    """What really happened on a day: its staffing and each citizen's wait, per queue and
    period of issue (seconds)."""

    staffing: tuple[frozenset[int], ...]
    waits: dict[str, list[list[float]]]


def past_day(history: History, day: dt.date, span: Span) -> PastDay:
    """A past day's staffing and waits (citizens called at least once)."""
    rows = history.by_day.get(day, [])
    waits: dict[str, list[list[float]]] = {
        q.prefix: [[] for _ in range(span.periods)] for q in history.hall.queue
    }
    for r in rows:
        if not r.root or r.called is None or r.queue not in waits:
            continue
        p = span.period_of(r.issued)
        if p is not None:
            waits[r.queue][p].append(max(0.0, r.called - r.issued))
    return PastDay(staffing_of(rows, span), waits)
