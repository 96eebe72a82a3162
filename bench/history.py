"""A year of history, fast: tickets of past business dates written with raw sqlite3 executemany.

About 330 working days before the hall moment, each with its share of the history spread over
the queues (roughly by their caps; F takes the rest), mostly done, some missed, void, cancelled
or transferred, with their windows, clerks and times. Plus today's tickets: a few hundred
waiting and one called or serving at each staffed window. The event table is not touched
(status does not read it, and the chain stays valid).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from bench.common import NOW
from bench.halldb import WINDOW_CLERKS
from models.workdays import is_workday

_COLUMNS = (
    "business_date, queue_id, seq, number, item_code, priority, status, order_key, issued_at, "
    "called_at, started_at, finished_at, window, target_window, clerk_code, recalls, misses, "
    "parent_id, appointment_id, token"
)
_INSERT = f"INSERT INTO ticket ({_COLUMNS}) VALUES ({', '.join('?' * 20)})"
_STATUSES = ["done"] * 86 + ["missed"] * 5 + ["void"] + ["cancelled"] * 5 + ["transferred"] * 3
_UTC_OPEN = dt.time(0, 30)
"""08:30 in Jinan."""


def past_workdays(today: dt.date, count: int) -> list[dt.date]:
    """The ``count`` working days before ``today``, oldest first."""
    days: list[dt.date] = []
    day = today
    while len(days) < count:
        day -= dt.timedelta(days=1)
        if is_workday(day)[0]:
            days.append(day)
    return days[::-1]


class _Hall:
    """What the generator needs to know of the loaded hall."""

    def __init__(self, con: sqlite3.Connection) -> None:
        rows = con.execute("SELECT id, prefix, daily_cap FROM queue ORDER BY position").fetchall()
        self.queues = [(int(i), str(p), int(c)) for i, p, c in rows]
        self.items: dict[int, list[str]] = {}
        for code, queue_id in con.execute("SELECT code, queue_id FROM service_item"):
            self.items.setdefault(int(queue_id), []).append(str(code))
        self.windows: dict[int, list[int]] = {}
        for window, queue_id in con.execute("SELECT window_number, queue_id FROM window_queue"):
            self.windows.setdefault(int(queue_id), []).append(int(window))

    def shares(self, per_day: int) -> list[tuple[int, str, int]]:
        """Tickets per queue on one day: capped queues by their caps, F the rest."""
        capped = sum(c for _, _, c in self.queues)
        scale = min(1.0, per_day * 0.6 / capped) if capped else 0.0
        out = [(i, p, int(c * scale)) for i, p, c in self.queues if c]
        rest = per_day - sum(n for _, _, n in out)
        uncapped = [(i, p) for i, p, c in self.queues if not c] or [self.queues[-1][:2]]
        for k, (i, p) in enumerate(uncapped):
            out.append((i, p, rest // len(uncapped) + (1 if k < rest % len(uncapped) else 0)))
        return out


def _minutes(day: dt.date) -> list[str]:
    """Stored-time prefixes ('YYYY-MM-DD HH:MM') for every minute of a day in UTC."""
    base = dt.datetime.combine(day, dt.time(0, 0))
    return [(base + dt.timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M") for m in range(24 * 60)]


def _day_rows(
    hall: _Hall, day: dt.date, per_day: int, rng: random.Random, tokens: Iterator[str]
) -> Iterator[tuple[object, ...]]:
    minutes = _minutes(day)
    open_at = _UTC_OPEN.hour * 60 + _UTC_OPEN.minute
    date = day.isoformat()
    for queue_id, prefix, count in hall.shares(per_day):
        items: list[str | None] = [*hall.items.get(queue_id, [])] or [None]
        windows: list[int | None] = [*hall.windows.get(queue_id, [])] or [None]
        for seq in range(1, count + 1):
            issued = open_at + seq * 450 // max(count, 1)
            wait = int(rng.random() * 40)
            status = _STATUSES[int(rng.random() * len(_STATUSES))]
            window = windows[seq % len(windows)]
            sec = f":{seq % 60:02d}.000000"
            called = minutes[issued + wait] + sec
            started = minutes[issued + wait + 1] + sec if status != "cancelled" else None
            finished = minutes[issued + wait + 9] + sec if status != "missed" else None
            yield (
                date, queue_id, seq, f"{prefix}{seq:03d}", items[seq % len(items)],
                "green" if seq % 29 == 0 else "normal", status, float(seq),
                minutes[issued] + sec, called, started, finished, window, None,
                WINDOW_CLERKS.get(window or 0, "1001"), 0, 1 if status == "missed" else 0,
                None, None, next(tokens),
            )  # fmt: skip


def _today_rows(
    hall: _Hall, waiting: int, rng: random.Random, tokens: Iterator[str]
) -> Iterator[tuple[object, ...]]:
    """Today: a ticket at each staffed window (called or serving), then the waiting ones."""
    date = NOW.date().isoformat()
    now = NOW.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    prefixes = {i: p for i, p, _ in hall.queues}
    seqs: dict[int, int] = {}
    staffed: list[tuple[int, int | None]] = [
        (next(q for q, ws in hall.windows.items() if w in ws), w) for w in WINDOW_CLERKS
    ]
    queue_ids = list(prefixes)
    staffed += [(queue_ids[int(rng.random() * len(queue_ids))], None) for _ in range(waiting)]
    for n, (queue_id, window) in enumerate(staffed):
        seq = seqs[queue_id] = seqs.get(queue_id, 0) + 1
        status = "waiting" if window is None else ("called" if n % 2 else "serving")
        yield (
            date, queue_id, seq, f"{prefixes[queue_id]}{seq:03d}", None,
            "green" if seq % 17 == 0 else "normal", status, float(seq), now,
            now if window else None, now if status == "serving" else None, None, window, None,
            WINDOW_CLERKS.get(window or 0), 0, 0, None, None, next(tokens),
        )  # fmt: skip


def fill(path: Path, total: int, dates: int, today_waiting: int) -> int:
    """Write ``total`` historical tickets and today's; returns the tickets written."""
    rng = random.Random(20261125)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")  # a bulk load; the benchmark only reads
        con.execute("PRAGMA cache_size=-524288")
        hall = _Hall(con)
        pool = os.urandom(8 * (total + today_waiting + 64)).hex()
        tokens = (pool[k : k + 16] for k in range(0, len(pool), 16))
        days = past_workdays(NOW.date(), dates)
        con.execute("BEGIN IMMEDIATE")
        for k, day in enumerate(days):
            per_day = total // dates + (1 if k < total % dates else 0)
            con.executemany(_INSERT, _day_rows(hall, day, per_day, rng, tokens))
        con.executemany(_INSERT, _today_rows(hall, today_waiting, rng, tokens))
        con.execute(
            "INSERT INTO day_counter (business_date, queue_id, last_seq, priority_run) "
            "SELECT business_date, queue_id, max(seq), 0 FROM ticket WHERE true "
            "GROUP BY business_date, queue_id "
            "ON CONFLICT (business_date, queue_id) DO UPDATE SET last_seq = excluded.last_seq"
        )
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(con.execute("SELECT count(*) FROM ticket").fetchone()[0])
    finally:
        con.close()
