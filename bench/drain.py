"""Benchmark 3: eight windows in eight processes drain the waiting tickets.

Each process (multiprocessing, spawn) has its own window with a clerk logged in and its own
engine; all start together at a barrier and press the counter's "next" key until NothingWaiting:
call_next(finish_current=True) finishes the current ticket and calls the next in one
transaction, as a clerk does all day. Throughput is calls over
the whole drain (first start to last finish). Every ticket must be called exactly once: checked
from what the windows got and from the database (statuses, 'called' events, the hash chain).
The floor: the same eight processes doing the raw sqlite3 finish-and-claim on a copy.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from bench.common import NOW, Result, Row, Sizes, Verdict
from bench.halldb import WINDOW_CLERKS, copy_db, url_for

TARGET_CALLS_PER_S = 500.0
BARRIER_TIMEOUT_S = 300.0


@dataclass
class WindowRun:
    """What one window process did."""

    window: int
    start: float = 0.0
    end: float = 0.0
    numbers: list[str] = field(default_factory=list)
    error: str | None = None
    held: float = 0.0
    """Seconds this window held the write lock (BEGIN IMMEDIATE granted → COMMIT done)."""


def product_worker(path: str, window: int, barrier: Barrier, out: Any) -> None:
    """One counter pressing "next" (finish the current ticket and call the next, one transaction)
    until nothing waits."""
    from bench.probes import Probe
    from models.db import make_engine
    from models.errors import NothingWaiting
    from models.queue.calling import call_next
    from models.views.status import hall_status

    run = WindowRun(window)
    engine = make_engine(url_for(Path(path)))
    probe = Probe(engine)
    try:
        hall_status(engine, now=NOW)  # connect and warm the imports before the start
        gc.collect()
        barrier.wait(BARRIER_TIMEOUT_S)
        run.start = time.perf_counter()
        while True:
            try:
                view = call_next(engine, window=window, finish_current=True, now=NOW)
            except NothingWaiting:
                break
            run.numbers.append(view.number)
        run.end = time.perf_counter()
        run.held = sum(probe.held_total)
    except Exception as exc:
        run.error = f"window {window}: {type(exc).__name__}: {exc}"
    finally:
        probe.close()
        engine.dispose()
    out.put(run)


def floor_worker(path: str, window: int, barrier: Barrier, out: Any) -> None:
    """One counter doing the raw sqlite3 finish-and-claim, one transaction per "next"."""
    from bench.floors import Moment, RawHall

    run = WindowRun(window)
    raw = RawHall(Path(path), Moment.of(NOW, NOW.date()))
    try:
        queues = raw.window_queues(window)
        clerk = WINDOW_CLERKS[window]
        gc.collect()
        barrier.wait(BARRIER_TIMEOUT_S)
        run.start = time.perf_counter()
        while (number := raw.call(window, queues, clerk, finish_current=True)) is not None:
            run.numbers.append(number)
        run.end = time.perf_counter()
        run.held = sum(raw.held_total)
    except Exception as exc:
        run.error = f"window {window}: {type(exc).__name__}: {exc}"
    finally:
        raw.close()
    out.put(run)


def drain(worker: Any, path: Path, processes: int) -> list[WindowRun]:
    """Start one process per window (spawn), wait for all, return what each did."""
    ctx = mp.get_context("spawn")
    windows = list(WINDOW_CLERKS)[:processes]
    barrier = ctx.Barrier(len(windows))
    out = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(str(path), w, barrier, out), name=f"window-{w}")
        for w in windows
    ]
    for proc in procs:
        proc.start()
    runs = [out.get(timeout=BARRIER_TIMEOUT_S * 2) for _ in procs]
    for proc in procs:
        proc.join()
    return runs


@dataclass(frozen=True)
class Drained:
    """A drain summarised and checked."""

    calls: int
    seconds: float
    duplicates: int
    missing: int
    errors: list[str]
    per_window: dict[int, int]
    held: float
    """Seconds the write lock was held, all windows together."""

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


def summarise(runs: list[WindowRun], expected: list[str], path: Path) -> Drained:
    """Calls per second over the whole drain; every ticket called exactly once?"""
    errors = [r.error for r in runs if r.error]
    got = Counter(n for r in runs for n in r.numbers)
    duplicates = sum(c - 1 for c in got.values() if c > 1)
    missing = len(set(expected) - set(got))
    errors += _check_database(path, len(expected))
    started = [r.start for r in runs if r.start]
    ended = [r.end for r in runs if r.end]
    seconds = max(ended) - min(started) if started and ended else 0.0
    per_window = {r.window: len(r.numbers) for r in runs}
    held = sum(r.held for r in runs)
    return Drained(sum(got.values()), seconds, duplicates, missing, errors, per_window, held)


def _check_database(path: Path, expected: int) -> list[str]:
    con = sqlite3.connect(path)
    problems = []
    try:
        done = con.execute("SELECT count(*) FROM ticket WHERE status = 'done'").fetchone()[0]
        if done != expected:
            problems.append(f"{done} tickets done in the database, {expected} expected")
        twice = con.execute(
            "SELECT count(*) FROM (SELECT ticket_id FROM event WHERE kind = 'called' "
            "GROUP BY ticket_id HAVING count(*) > 1)"
        ).fetchone()[0]
        if twice:
            problems.append(f"{twice} tickets have more than one 'called' event")
    finally:
        con.close()
    from models.db import make_engine
    from models.events import verify_chain

    engine = make_engine(url_for(path))
    try:
        report = verify_chain(engine)
    finally:
        engine.dispose()
    if report.broken_at is not None:
        problems.append(f"event chain broken at {report.broken_at}: {report.detail}")
    return problems


def run(sizes: Sizes, workdir: Path, prefilled: Path, expected: list[str]) -> Result:
    """Drain with the product, then with the floor, each on its own copy."""
    product_path = copy_db(prefilled, workdir, "drain_product.db")
    floor_path = copy_db(prefilled, workdir, "drain_floor.db")
    runs = drain(product_worker, product_path, sizes.processes)
    product = summarise(runs, expected, product_path)
    floor = summarise(drain(floor_worker, floor_path, sizes.processes), expected, floor_path)
    p, f = product, floor
    rows = [
        Row("calls per second (whole drain)", p.rate, f.rate, "calls/s",
            f"≥ {TARGET_CALLS_PER_S:g}", 0),
        Row("drain time", p.seconds, f.seconds, "s"),
        Row("wall time per call + finish (drain time ÷ calls)", p.seconds / p.calls * 1000,
            f.seconds / f.calls * 1000, "ms"),
        Row("write lock held per call + finish (incl. COMMITs)", p.held / p.calls * 1000,
            f.held / f.calls * 1000, "ms"),
        Row("write lock busy (Σ held ÷ drain time)", p.held / p.seconds * 100,
            f.held / f.seconds * 100, "%", digits=0),
        Row("calls by the busiest window", max(p.per_window.values()),
            max(f.per_window.values()), "calls", digits=0),
        Row("calls by the least busy window", min(p.per_window.values()),
            min(f.per_window.values()), "calls", digits=0),
        Row("tickets called", p.calls, f.calls, "tickets", digits=0),
        Row("duplicates (called twice)", p.duplicates, f.duplicates, "", "0", 0),
        Row("tickets never called", p.missing, f.missing, "", "0", 0),
    ]  # fmt: skip
    windows = ", ".join(str(w) for w in list(WINDOW_CLERKS)[: sizes.processes])
    notes = [
        f"{len(expected)} waiting tickets (M, C, F) drained by {sizes.processes} processes "
        f"(spawn), windows {windows}; each call = the 'next' key: finish the current ticket "
        "and call the next in one transaction (call_next(finish_current=True))",
        "calls per window — mashangban: " + _spread(p) + "; floor: " + _spread(f),
        "lock held = BEGIN IMMEDIATE granted → COMMIT done; the rest of the wall time the lock "
        "is free while waiters sleep in SQLite's busy handler (back-off 1, 2, 5, 10 … 100 ms)",
        "checked: the windows' numbers, ticket statuses, one 'called' event per ticket, "
        "the event hash chain (models.events.verify_chain)",
    ]
    notes += [f"ERROR (mashangban) {e}" for e in p.errors]
    notes += [f"ERROR (floor) {e}" for e in f.errors]
    clean = p.duplicates == 0 and p.missing == 0 and not p.errors
    verdict = Verdict(
        "drain",
        p.rate >= TARGET_CALLS_PER_S and clean,
        f"{sizes.processes}-process call-next {p.rate:.0f} calls/s (target ≥ "
        f"{TARGET_CALLS_PER_S:g}; floor {f.rate:.0f}), duplicates {p.duplicates}, "
        f"never called {p.missing}, errors {len(p.errors)}",
    )
    title = f"3 · {sizes.processes}-process call-next drain (SQLite file)"
    return Result("drain", title, rows, notes, [verdict])


def _spread(drained: Drained) -> str:
    return " ".join(f"{w}:{n}" for w, n in sorted(drained.per_window.items()))
