"""Benchmark 4: models.views.status.hall_status with a year of history (1,000,000 tickets).

The history database is built once per run in the temp directory (bench.history), then read
by both sides with a warm connection each (the product keeps its engine, as the board and the
status screen do). Also measured on today's tickets alone, to show what the history costs.
Floor: the raw waiting count per queue, the one question status must answer.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

from sqlalchemy import Engine

from bench.common import NOW, Latency, Result, Row, Sizes, Verdict, latency_rows
from bench.halldb import checkpoint, copy_db, db_size, raw_connect, url_for
from bench.history import fill
from models.db import make_engine
from models.views.status import hall_status

TARGET_MS = 10.0
COLD_CALLS = 10
FLOOR_SQL = (
    "SELECT queue_id, count(*) FROM ticket WHERE business_date = ? AND status = 'waiting' "
    "GROUP BY queue_id"
)


def _tickets(path: Path) -> int:
    con = raw_connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM ticket").fetchone()[0])
    finally:
        con.close()


def _time_product(engine: Engine, calls: int, warmup: int) -> tuple[Latency, int]:
    for _ in range(warmup):
        hall_status(engine, now=NOW)
    gc.collect()  # the first full collection after start-up is not the status's to pay
    samples = []
    waiting = 0
    for _ in range(calls):
        start = time.perf_counter()
        status = hall_status(engine, now=NOW)
        samples.append(time.perf_counter() - start)
        waiting = sum(q.waiting for q in status.queues)
    return Latency.of(samples), waiting


def _time_floor(path: Path, calls: int, warmup: int) -> tuple[Latency, int]:
    con = raw_connect(path)
    day = NOW.date().isoformat()
    try:
        for _ in range(warmup):
            con.execute(FLOOR_SQL, (day,)).fetchall()
        samples = []
        waiting = 0
        for _ in range(calls):
            start = time.perf_counter()
            rows = con.execute(FLOOR_SQL, (day,)).fetchall()
            samples.append(time.perf_counter() - start)
            waiting = sum(int(r[1]) for r in rows)
    finally:
        con.close()
    return Latency.of(samples), waiting


def _measure(path: Path, sizes: Sizes) -> tuple[Latency, Latency, int, int]:
    engine = make_engine(url_for(path))
    try:
        product, waiting = _time_product(engine, sizes.status_calls, sizes.status_warmup)
    finally:
        engine.dispose()
    floor, floor_waiting = _time_floor(path, sizes.status_calls, sizes.status_warmup)
    return product, floor, waiting, floor_waiting


def _time_cold(path: Path, calls: int) -> tuple[Latency, Latency]:
    """A new engine (connection) per call, as one ``mashangban status`` command has."""
    day = NOW.date().isoformat()
    product, floor = [], []
    for _ in range(calls):
        start = time.perf_counter()
        engine = make_engine(url_for(path))
        hall_status(engine, now=NOW)
        product.append(time.perf_counter() - start)
        engine.dispose()
        start = time.perf_counter()
        con = raw_connect(path)
        con.execute(FLOOR_SQL, (day,)).fetchall()
        floor.append(time.perf_counter() - start)
        con.close()
    return Latency.of(product), Latency.of(floor)


def build_history(sizes: Sizes, workdir: Path, template: Path) -> tuple[Path, float]:
    """The history database (built once per run); returns it and the seconds it took."""
    path = copy_db(template, workdir, "status_history.db")
    start = time.perf_counter()
    fill(path, sizes.history, sizes.history_dates, sizes.today_waiting)
    checkpoint(path)
    return path, time.perf_counter() - start


def run(sizes: Sizes, workdir: Path, template: Path, history: tuple[Path, float]) -> Result:
    """Time status on today's tickets alone, then with the history."""
    today_path = copy_db(template, workdir, "status_today.db")
    fill(today_path, 0, 1, sizes.today_waiting)
    history_path, built = history
    size = db_size(history_path)
    tickets = _tickets(history_path)

    small_p, small_f, _, _ = _measure(today_path, sizes)
    big_p, big_f, waiting, floor_waiting = _measure(history_path, sizes)
    cold_p, cold_f = _time_cold(history_path, COLD_CALLS)
    label = f"{sizes.history:,}"
    rows = latency_rows(f"status, {label} history", big_p, big_f, f"< {TARGET_MS:g} ms")
    rows += [
        Row(f"status, {label} history, max", big_p.max, big_f.max, "ms"),
        Row("status, today only p50", small_p.p50, small_f.p50, "ms"),
        Row("status, today only p99", small_p.p99, small_f.p99, "ms"),
        Row(
            f"history cost (p50 with {label} ÷ today only)",
            big_p.p50 / small_p.p50,
            big_f.p50 / small_f.p50,
            "×",
        ),
        Row(f"status, new engine per call, p50 (of {COLD_CALLS})", cold_p.p50, cold_f.p50, "ms"),
        Row("database size (file + WAL)", size / 2**20, None, "MiB", digits=1),
        Row("tickets in the database", tickets, None, "tickets", digits=0),
    ]
    notes = [
        f"{sizes.history:,} historical tickets over {sizes.history_dates} past working days "
        f"(built in {built:.1f} s with executemany in one transaction) + {sizes.today_waiting} "
        "waiting today + 8 at windows; no history events",
        f"{big_p.n} calls each after {sizes.status_warmup} warm-up and a gc.collect(), warm "
        "connection (product: one engine, as the board keeps it); "
        f"waiting counted: mashangban {waiting}, floor {floor_waiting}",
        "floor: " + FLOOR_SQL,
    ]
    if waiting != floor_waiting:
        notes.append("ERROR: status and the floor disagree on the waiting count")
    passed = big_p.p99 < TARGET_MS and waiting == floor_waiting
    verdict = Verdict(
        "status",
        passed,
        f"status at {label} tickets p99 {big_p.p99:.2f} ms (p50 {big_p.p50:.2f} ms) "
        f"vs target < {TARGET_MS:g} ms; floor p99 {big_f.p99:.3f} ms",
    )
    return Result(
        "status",
        f"4 · status with {label} historical tickets (SQLite file)",
        rows,
        notes,
        [verdict],
    )
