"""A year of a busy hall for the report benchmark: ≈ 3,000 tickets a day, with ratings and cases.

Written with raw sqlite3 executemany into a copy of the template (like bench.history), but
spread like a real hall: every calendar day of the year before the hall moment, queues by their
share of visitors, a morning peak and a quieter lunch hour, waits and services drawn at random
around each queue's limits, 85 % done and the rest missed, void, cancelled or transferred; a
third of the done tickets rated (mostly 5), and every done ticket for an item with promised
working days gets a case — most ready in time, some late, a few never marked ready.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
from pathlib import Path

from bench.common import NOW

_TICKET = (
    "INSERT INTO ticket (business_date, queue_id, seq, number, item_code, priority, status, "
    "order_key, issued_at, called_at, started_at, finished_at, window, target_window, "
    "clerk_code, recalls, misses, parent_id, appointment_id, token) "
    f"VALUES ({', '.join('?' * 20)})"
)
_RATING = (
    "INSERT INTO rating (ticket_id, window, clerk_code, level, reason, rated_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_CASE = (
    "INSERT INTO service_case (case_number, ticket_id, item_code, window, clerk_code, "
    "accepted_at, promised_date, provisional, pickup_code, ready_at, picked_up_at, state) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)"
)
SHARE = {"A": 14, "B": 10, "C": 22, "D": 8, "E": 3, "M": 18, "F": 25}
"""Visitors per queue, in percent."""
HOURS = [(8, 6), (9, 16), (10, 17), (11, 12), (12, 3), (13, 8), (14, 14), (15, 14), (16, 10)]
"""(local hour, percent of the day's tickets issued in it): a morning peak, a quiet lunch."""
_STATUS = ["done"] * 85 + ["missed"] * 5 + ["void"] * 2 + ["cancelled"] * 4 + ["transferred"] * 4
_LEVELS = [5] * 70 + [4] * 20 + [3] * 6 + [2] * 3 + [1]
_FMT = "%Y-%m-%d %H:%M:%S.%f"


def _hall(con: sqlite3.Connection) -> tuple[dict[str, tuple[int, int, int]], dict, dict]:
    queues = {
        str(p): (int(i), int(w), int(s))
        for i, p, w, s in con.execute(
            "SELECT id, prefix, wait_limit_minutes, service_minutes FROM queue"
        )
    }
    items: dict[int, list[tuple[str, int]]] = {}
    for code, queue_id, days in con.execute(
        "SELECT code, queue_id, promised_days FROM service_item"
    ):
        items.setdefault(int(queue_id), []).append((str(code), int(days)))
    windows: dict[int, list[int]] = {}
    for window, queue_id in con.execute("SELECT window_number, queue_id FROM window_queue"):
        windows.setdefault(int(queue_id), []).append(int(window))
    return queues, items, windows


def fill_year(path: Path, days: int, per_day: int) -> tuple[int, int, int]:
    """Write ``days`` days of ``per_day`` tickets before the hall moment; (tickets, ratings,
    cases) written. The database must have no tickets yet (ids are counted from 1)."""
    rng = random.Random(20261125)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")  # a bulk load; the benchmark only reads
        con.execute("PRAGMA cache_size=-524288")
        queues, items, windows = _hall(con)
        pool = os.urandom(8 * (days * per_day + 64)).hex()
        tokens = (pool[k : k + 16] for k in range(0, len(pool), 16))
        tickets: list[tuple[object, ...]] = []
        ratings: list[tuple[object, ...]] = []
        cases: list[tuple[object, ...]] = []
        ticket_id = 0
        con.execute("BEGIN IMMEDIATE")
        for back in range(days, 0, -1):
            day = NOW.date() - dt.timedelta(days=back)
            midnight = dt.datetime.combine(day, dt.time(0)) - dt.timedelta(hours=8)  # UTC
            seqs: dict[str, int] = {}
            issued_times = sorted(
                midnight + dt.timedelta(hours=h, seconds=rng.random() * 3600)
                for h, pct in HOURS
                for _ in range(per_day * pct // 100)
            )
            prefixes = rng.choices(list(SHARE), weights=list(SHARE.values()), k=len(issued_times))
            for issued, prefix in zip(issued_times, prefixes, strict=True):
                queue_id, wait_limit, service_limit = queues[prefix]
                seq = seqs[prefix] = seqs.get(prefix, 0) + 1
                ticket_id += 1
                choices = items.get(queue_id) or [(None, 0)]
                item, promised = choices[seq % len(choices)] if seq % 5 else (None, 0)
                ws = windows[queue_id]
                window = ws[seq % len(ws)]
                clerk = f"2{window:03d}"
                status = _STATUS[int(rng.random() * len(_STATUS))]
                called = issued + dt.timedelta(seconds=rng.expovariate(1 / (wait_limit * 24)))
                started = finished = None
                if status in ("done", "transferred"):
                    started = called + dt.timedelta(seconds=rng.random() * 60)
                    length = rng.gammavariate(4, service_limit * 15)
                    finished = started + dt.timedelta(seconds=length)
                elif status == "cancelled":
                    finished = called
                tickets.append((
                    day.isoformat(), queue_id, seq, f"{prefix}{seq:03d}", item, "normal",
                    status, float(seq), issued.strftime(_FMT), called.strftime(_FMT),
                    started.strftime(_FMT) if started else None,
                    finished.strftime(_FMT) if finished else None, window, None, clerk, 0,
                    1 if status == "missed" else 2 if status == "void" else 0, None, None,
                    next(tokens),
                ))  # fmt: skip
                if status != "done" or finished is None:
                    continue
                if rng.random() < 0.33:
                    level = _LEVELS[int(rng.random() * len(_LEVELS))]
                    ratings.append((
                        ticket_id, window, clerk, level, "等候太久" if level <= 2 else "",
                        (finished + dt.timedelta(minutes=1)).strftime(_FMT),
                    ))  # fmt: skip
                if promised:
                    due = day + dt.timedelta(days=promised * 7 // 5)
                    luck = rng.random()
                    ready = (
                        None
                        if luck < 0.03
                        else finished + dt.timedelta(days=(promised * 7 // 5) * (0.4 + luck * 0.7))
                    )
                    state = "accepted" if ready is None else "ready"
                    cases.append((
                        f"C{ticket_id:09d}", ticket_id, item, window, clerk,
                        finished.strftime(_FMT), due.isoformat(), f"{ticket_id % 1000000:06d}",
                        ready.strftime(_FMT) if ready else None, None, state,
                    ))  # fmt: skip
            if len(tickets) > 50_000:
                con.executemany(_TICKET, tickets)
                tickets.clear()
        con.executemany(_TICKET, tickets)
        con.executemany(_RATING, ratings)
        con.executemany(_CASE, cases)
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return ticket_id, len(ratings), len(cases)
    finally:
        con.close()
