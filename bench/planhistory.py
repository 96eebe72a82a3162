"""A year of a hall whose waits follow from its staffing, for the planner's accuracy benchmark.

bench.yearhistory draws waits at random around the limits (enough for reports); a planner needs
waits that come from windows and citizens. Here each working day (the Chinese official calendar:
the hall is closed on days off) gets citizens from a smooth intraday curve (a morning peak near
10:00, a quiet lunch, a smaller afternoon peak), more on Mondays and a third more on the first
working day after a holiday, with day-to-day noise; items with their own service-time shapes;
a manager who opens, each hour, the windows a usual day of that weekday would need (not knowing
about holidays, sometimes one more or less); and a small event loop of its own — windows serving
their queues in the hall file's order, first come first served, no-shows costing a minute or two
— writing what happened. It shares no code with models.planning.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import os
import random
import sqlite3
from pathlib import Path
from typing import Any

from bench.common import NOW
from models.workdays import after_break, is_workday

SHARE = {"A": 19, "B": 19, "C": 19, "D": 14, "E": 10, "M": 14, "F": 5}
"""Citizens per queue, in percent: about each queue's share of the hall's 21 windows."""
SERVICE_MINUTES = 1.6
"""An item's mean service is 0.6–1.6 times this: 3,000 citizens a day keep 21 windows busy."""
WEEKDAY = (1.15, 1.0, 0.97, 0.95, 0.9, 0.6, 0.6)
AFTER_BREAK = 1.35
OPEN = ((8 * 60 + 30, 12 * 60), (13 * 60, 17 * 60))
"""Opening hours (local minutes): tickets are taken only then."""
NO_SHOW = 0.04
TRANSFER = 0.03
_TICKET = (
    "INSERT INTO ticket (business_date, queue_id, seq, number, item_code, priority, status, "
    "order_key, issued_at, called_at, started_at, finished_at, window, target_window, "
    "clerk_code, recalls, misses, parent_id, appointment_id, token) "
    f"VALUES ({', '.join('?' * 20)})"
)
_FMT = "%Y-%m-%d %H:%M:%S.%f"


def curve(minute: float) -> float:
    """Relative arrival intensity at a local minute (0 outside the hours)."""
    if not any(a <= minute < b for a, b in OPEN):
        return 0.0
    h = minute / 60
    return 0.35 + math.exp(-(((h - 10.0) / 1.0) ** 2)) + 0.7 * math.exp(-(((h - 14.6) / 1.1) ** 2))


_SLOTS = [m for a, b in OPEN for m in range(a, b, 5)]
_WEIGHT = sum(curve(m + 2.5) for m in _SLOTS)


def _hall(
    con: sqlite3.Connection,
) -> tuple[dict[str, tuple[int, int]], dict, list[tuple[int, list[str]]]]:
    queues = {str(p): (int(i), int(s)) for i, p, s in con.execute(
        "SELECT id, prefix, service_minutes FROM queue")}  # fmt: skip
    by_id = {i: p for p, (i, _) in queues.items()}
    items: dict[str, list[str]] = {}
    for code, queue_id in con.execute("SELECT code, queue_id FROM service_item ORDER BY position"):
        items.setdefault(by_id[int(queue_id)], []).append(str(code))
    windows: dict[int, list[tuple[int, str]]] = {}
    for window, queue_id, position in con.execute(
        "SELECT window_number, queue_id, position FROM window_queue"
    ):
        windows.setdefault(int(window), []).append((int(position), by_id[int(queue_id)]))
    return queues, items, sorted((w, [p for _, p in sorted(q)]) for w, q in windows.items())


def _item_minutes(code: str, base: int) -> float:
    """An item's mean service minutes: 0.6–1.6 × SERVICE_MINUTES, fixed per item (``base``, the
    queue's hall-file figure, only orders them: longer there, longer here)."""
    return SERVICE_MINUTES * (0.6 + ((sum(map(ord, code)) * 37 + base) % 100) / 100)


def _staffing(
    rng: random.Random, weekday: int, per_day: int, queues: dict[str, tuple[int, int]],
    items: dict[str, list[str]], windows: list[tuple[int, list[str]]],
) -> dict[int, set[int]]:  # fmt: skip
    """Windows open per local hour: what a usual day of this weekday needs, give or take one."""
    out: dict[int, set[int]] = {}
    for hour in range(8, 18):
        chosen: set[int] = set()
        for prefix, share in SHARE.items():
            minutes = [m for m in _SLOTS if hour * 60 <= m < hour * 60 + 60]
            lam = per_day * WEEKDAY[weekday] * share / 100 * sum(curve(m + 2.5) for m in minutes)
            lam /= _WEIGHT
            codes = items.get(prefix) or [prefix]
            mean = sum(_item_minutes(c, queues[prefix][1]) for c in codes) / len(codes)
            need = math.ceil(lam * (mean + 1) / 60 / 0.8) if lam else 0
            if need and rng.random() < 0.25:
                need += rng.choice((-1, 1))
            own = [w for w, qs in windows if qs[0] == prefix and w not in chosen]
            chosen.update(own[: max(0, need)])
        out[hour] = chosen
    out[12] = set()
    return out


def fill_plan_year(path: Path, days: int, per_day: int, seed: int = 20261206) -> int:
    """Write the working days among the ``days`` calendar days before the hall moment; returns
    the tickets written. The database must have no tickets yet."""
    rng = random.Random(seed)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")
        queues, items, windows = _hall(con)
        pool = os.urandom(8 * (days * per_day * 2 + 64)).hex()
        tokens = (pool[k : k + 16] for k in range(0, len(pool), 16))
        total = 0
        con.execute("BEGIN IMMEDIATE")
        for back in range(days, 0, -1):
            day = NOW.date() - dt.timedelta(days=back)
            if not is_workday(day)[0]:
                continue
            rows = _day(rng, day, per_day, queues, items, windows, tokens)
            con.executemany(_TICKET, rows)
            total += len(rows)
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return total
    finally:
        con.close()


def _day(
    rng: random.Random, day: dt.date, per_day: int, queues: dict[str, tuple[int, int]],
    items: dict[str, list[str]], windows: list[tuple[int, list[str]]], tokens: Any,
) -> list[tuple[object, ...]]:  # fmt: skip
    volume = per_day * WEEKDAY[day.weekday()] * rng.lognormvariate(0, 0.06)
    if after_break(day):
        volume *= AFTER_BREAK
    open_by_hour = _staffing(rng, day.weekday(), per_day, queues, items, windows)
    # citizens: (arrival seconds from midnight, queue, item, service seconds)
    arrivals: list[tuple[float, str, str | None, float]] = []
    prefixes, weights = list(SHARE), list(SHARE.values())
    for m in _SLOTS:
        lam = volume * curve(m + 2.5) / _WEIGHT
        n = _poisson(rng, lam)
        for _ in range(n):
            prefix = rng.choices(prefixes, weights)[0]
            codes: list[str | None] = [*items.get(prefix, [])] or [None]
            code = codes[int(rng.random() * len(codes))] if rng.random() < 0.9 else None
            mean = _item_minutes(code or prefix, queues[prefix][1]) * 60
            arrivals.append(
                (m * 60 + rng.random() * 300, prefix, code, rng.gammavariate(3, mean / 3))
            )
    arrivals.sort()
    midnight = dt.datetime.combine(day, dt.time(0)) - dt.timedelta(hours=8)  # UTC
    served = {w: qs for w, qs in windows}
    waiting: dict[str, list[int]] = {p: [] for p in SHARE}
    heads = dict.fromkeys(SHARE, 0)
    free_at = dict.fromkeys(served, 0.0)
    result: list[list[Any]] = []
    seqs = dict.fromkeys(SHARE, 0)
    rows: list[tuple[object, ...]] = []

    def is_open(w: int, t: float) -> bool:
        return w in open_by_hour.get(int(t // 3600), set())

    def take(w: int, t: float) -> bool:
        for prefix in served[w]:
            line = waiting[prefix]
            if heads[prefix] < len(line):
                k = line[heads[prefix]]
                heads[prefix] += 1
                r = result[k]
                r[1] = t
                if rng.random() < NO_SHOW:
                    r[5], r[4] = "missed", w
                    free_at[w] = t + 60 + rng.random() * 60
                else:
                    start = t + 10 + rng.random() * 40
                    r[2], r[3], r[4] = start, start + r[6], w
                    r[5] = "transferred" if rng.random() < TRANSFER else "done"
                    free_at[w] = r[3]
                return True
        return False

    events: list[tuple[float, int, int]] = [(a[0], 0, k) for k, a in enumerate(arrivals)]
    for hour in open_by_hour:
        events.append((hour * 3600.0, 1, -1))
    heapq.heapify(events)
    busy: set[int] = set()
    while events:
        t, kind, k = heapq.heappop(events)
        if kind == 0:
            at, prefix, code, length = arrivals[k]
            seqs[prefix] += 1
            result.append(
                [at, None, None, None, None, "waiting", length, prefix, code, seqs[prefix]]
            )
            waiting[prefix].append(len(result) - 1)
            candidates = [
                w for w, qs in windows if prefix in qs and w not in busy and is_open(w, t)
            ]
            candidates.sort(key=lambda w: (served[w].index(prefix), w))
            if candidates:
                w = candidates[0]
                if take(w, t):
                    busy.add(w)
                    heapq.heappush(events, (free_at[w], 2, w))
        else:
            ws = [k] if kind == 2 else [w for w in served if w not in busy]
            if kind == 2:
                busy.discard(k)
            for w in ws:
                # After hours (and into lunch) a window finishes the citizens already waiting.
                late = t >= 17 * 3600 or 12 * 3600 <= t < 13 * 3600
                if (is_open(w, t) or (late and _was_open(open_by_hour, w, t))) and take(w, t):
                    busy.add(w)
                    heapq.heappush(events, (free_at[w], 2, w))
    for r in result:
        at, called, started, finished, window, status, _, prefix, code, seq = r
        queue_id = queues[str(prefix)][0]

        def stamp(s: float | None) -> str | None:
            return None if s is None else (midnight + dt.timedelta(seconds=s)).strftime(_FMT)

        rows.append((
            day.isoformat(), queue_id, seq, f"{prefix}{seq:03d}", code, "normal", status,
            float(seq), stamp(at), stamp(called), stamp(started), stamp(finished), window, None,
            f"2{window:03d}" if window else None, 0, 1 if status == "missed" else 0, None, None,
            next(tokens),
        ))  # fmt: skip
    return rows


def _was_open(open_by_hour: dict[int, set[int]], w: int, t: float) -> bool:
    hour = 11 if t < 13 * 3600 else 16
    return w in open_by_hour.get(hour, set())


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
