"""Benchmark 9: ``report`` over a year of history (≈ 3,000 tickets a day, ≈ 1.1 M tickets).

The year is generated once (bench.yearhistory) into a copy of the template; then
models.reports.report.report() runs over the whole year by queue, by day and by window: once
to roll the closed days up (the first report after an upgrade, or of a new grouping; later
reports roll up only the days closed since), then a few times each reading the rollups (p50
reported, the target), and once by queue counting every ticket (``rollups=False``) for comparison.
Floor: raw sqlite3 counting the year's tickets per queue with one GROUP BY, the least any report
counted from the tickets must read. Target: < 2 s.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

from bench.common import NOW, Result, Row, Sizes, Verdict
from bench.halldb import checkpoint, copy_db, db_size, raw_connect, url_for
from bench.yearhistory import fill_year
from models.db import make_engine
from models.queue.tickets import take_ticket
from models.reports.report import report

TARGET_S = 2.0
PER_DAY = 3000
RUNS = 3
TODAY_TICKETS = 700
"""Tickets taken today (through the product) before the last timed reports."""
GROUPINGS = ("queue", "day", "window")
FLOOR_SQL = (
    "SELECT queue_id, count(*) FROM ticket WHERE business_date BETWEEN ? AND ? GROUP BY queue_id"
)


def _floor(path: Path, start: dt.date, end: dt.date) -> tuple[float, int]:
    con = raw_connect(path)
    try:
        con.execute(FLOOR_SQL, (start.isoformat(), end.isoformat())).fetchall()  # warm
        samples, counted = [], 0
        for _ in range(RUNS):
            began = time.perf_counter()
            rows = con.execute(FLOOR_SQL, (start.isoformat(), end.isoformat())).fetchall()
            samples.append(time.perf_counter() - began)
            counted = sum(int(n) for _, n in rows)
    finally:
        con.close()
    return statistics.median(samples), counted


def run(sizes: Sizes, workdir: Path, template: Path) -> Result:
    """Generate the year, then time the report three ways against the floor."""
    days = 365 if sizes.history >= 1_000_000 else 30
    path = copy_db(template, workdir, "year.db")
    began = time.perf_counter()
    tickets, ratings, cases = fill_year(path, days, PER_DAY)
    checkpoint(path)
    built = time.perf_counter() - began
    end = NOW.date() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=days - 1)
    floor, floor_count = _floor(path, start, end)
    engine = make_engine(url_for(path))
    timings: dict[str, float] = {}
    first: dict[str, float] = {}
    totals: dict[str, int] = {}
    try:
        for by in GROUPINGS:
            began = time.perf_counter()
            report(engine, start=start, end=end, by=by, now=NOW)
            first[by] = time.perf_counter() - began
            samples = []
            for _ in range(RUNS):
                began = time.perf_counter()
                result = report(engine, start=start, end=end, by=by, now=NOW)
                samples.append(time.perf_counter() - began)
            timings[by] = statistics.median(samples)
            totals[by] = result.total.issued
            if by == "queue":
                rolled = result
        # A working day goes on: tickets taken today write events, which each report then
        # checks against the rollups (none of them touches a closed day).
        for n in range(TODAY_TICKETS):
            take_ticket(engine, queue="ABCDFM"[n % 6], now=NOW)  # E: 80 a day at most
        samples = []
        for _ in range(RUNS):
            began = time.perf_counter()
            report(engine, start=start, end=end, by="queue", now=NOW)
            samples.append(time.perf_counter() - began)
        busy_day = statistics.median(samples)
        began = time.perf_counter()
        counted = report(engine, start=start, end=end, by="queue", now=NOW, rollups=False)
        live = time.perf_counter() - began
    finally:
        engine.dispose()
    rows = [
        Row(f"report by {by}, p50 of {RUNS}", timings[by] * 1000, floor * 1000, "ms",
            f"< {TARGET_S * 1000:.0f} ms")
        for by in GROUPINGS
    ]  # fmt: skip
    rows += [
        Row(f"first report by {by} (rolls up {days} days)", first[by] * 1000, floor * 1000, "ms")
        for by in GROUPINGS
    ]
    rows += [
        Row(
            f"report by queue after {TODAY_TICKETS} tickets today, p50",
            busy_day * 1000,
            floor * 1000,
            "ms",
            f"< {TARGET_S * 1000:.0f} ms",
        ),
        Row("report by queue from the tickets (no rollups)", live * 1000, floor * 1000, "ms"),
        Row("tickets in the year", tickets, counted.total.issued, "tickets", digits=0),
        Row("database size (file + WAL)", db_size(path) / 2**20, None, "MiB", digits=1),
    ]
    agree = all(total == floor_count for total in totals.values()) and rolled == counted
    notes = [
        f"{days} days × {PER_DAY:,} tickets ({start} – {end}), {ratings:,} ratings, "
        f"{cases:,} cases; generated in {built:.1f} s with executemany in one transaction",
        "each report: 4 parts (waits, services, ratings, cases) over the whole year, read from "
        "the rollups of its closed days (models.reports.rollups); one engine, p50 of the runs "
        "after the first, which rolls the year up",
        "floor: " + FLOOR_SQL,
    ]
    if not agree:
        notes.append(
            f"ERROR: the reports' totals {totals} differ from the floor's {floor_count}, or the "
            "report read from the rollups differs from the one counted from the tickets"
        )
    worst = max(*timings.values(), busy_day)
    verdict = Verdict(
        "yearreport",
        worst < TARGET_S and agree,
        f"report over {tickets:,} tickets: p50 "
        + ", ".join(f"by {by} {timings[by]:.2f} s" for by in GROUPINGS)
        + f", by queue after {TODAY_TICKETS} tickets today {busy_day:.2f} s"
        + f" vs target < {TARGET_S:g} s (first, rolling the year up: "
        + ", ".join(f"{first[by]:.1f} s" for by in GROUPINGS)
        + f"); floor {floor * 1000:.0f} ms",
    )
    return Result(
        "yearreport",
        f"9 · report over a year of history ({tickets:,} tickets, SQLite file)",
        rows,
        notes,
        [verdict],
    )
