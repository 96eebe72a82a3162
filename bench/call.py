"""Benchmark 2: call_next + finish at one window (18, queue M) against the raw sqlite3 floor.

Report only (the issue states no target). Product and floor alternate pair by pair, each on its
own copy of the prefilled database. The write-lock time per call + finish shown here is what
bounds the eight-window drain of benchmark 3: windows take the write lock one at a time.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

from bench.common import NOW, Latency, Result, Row, Sizes, latency_rows
from bench.floors import Moment, RawHall
from bench.halldb import WINDOW_CLERKS, copy_db, url_for
from bench.probes import Probe
from models.db import make_engine
from models.events import verify_chain
from models.queue.calling import call_next
from models.queue.serving import finish

WINDOW = 18
Samples = tuple[list[float], list[float]]


def run(sizes: Sizes, workdir: Path, prefilled: Path) -> Result:
    """Measure call_next, finish and the pair, one window, back to back."""
    product_path = copy_db(prefilled, workdir, "call_product.db")
    floor_path = copy_db(prefilled, workdir, "call_floor.db")
    engine = make_engine(url_for(product_path))
    probe = Probe(engine)
    raw = RawHall(floor_path, Moment.of(NOW, NOW.date()))
    queues = raw.window_queues(WINDOW)
    clerk = WINDOW_CLERKS[WINDOW]
    calls: Samples = ([], [])
    finishes: Samples = ([], [])
    call_statements = 0
    try:
        for _ in range(sizes.call_warmup):
            call_next(engine, window=WINDOW, now=NOW)
            finish(engine, window=WINDOW, now=NOW)
            raw.call(WINDOW, queues, clerk)
            raw.finish(WINDOW)
        probe.reset()
        raw.reset()
        gc.collect()
        for _ in range(sizes.calls):
            before = probe.statements
            start = time.perf_counter()
            call_next(engine, window=WINDOW, now=NOW)
            mid = time.perf_counter()
            call_statements += probe.statements - before
            finish(engine, window=WINDOW, now=NOW)
            calls[0].append(mid - start)
            finishes[0].append(time.perf_counter() - mid)
            start = time.perf_counter()
            if raw.call(WINDOW, queues, clerk) is None:
                raise RuntimeError("floor ran out of waiting tickets")
            mid = time.perf_counter()
            raw.finish(WINDOW)
            calls[1].append(mid - start)
            finishes[1].append(time.perf_counter() - mid)
        chain = verify_chain(engine)
    finally:
        probe.close()
        engine.dispose()
        raw.close()
    n = sizes.calls
    pairs = [[c + f for c, f in zip(calls[k], finishes[k], strict=True)] for k in range(2)]
    pair_p, pair_f = Latency.of(pairs[0]), Latency.of(pairs[1])
    rows = latency_rows("call_next", Latency.of(calls[0]), Latency.of(calls[1]))
    rows += latency_rows("finish", Latency.of(finishes[0]), Latency.of(finishes[1]))
    rows += latency_rows("call_next + finish", pair_p, pair_f)
    rows += _lock_rows(probe, raw)
    rows += [
        Row("one-window ceiling 1000 / mean(call + finish)", 1000 / pair_p.mean,
            1000 / pair_f.mean, "calls/s", digits=0),
        Row("SQL statements per call_next", call_statements / n, 5.0, "stmts", digits=1),
        Row("SQL statements per finish", (probe.statements - call_statements) / n, 4.0, "stmts",
            digits=1),
    ]  # fmt: skip
    notes = [
        f"window {WINDOW} (queue M), {n} call + finish pairs each after {sizes.call_warmup} "
        f"warm-up, alternating product/floor pair by pair; {sizes.drain_tickets} tickets "
        "waiting at the start",
        "floor: call = first normal ticket waiting by ix_ticket_next, "
        "UPDATE … WHERE status='waiting', "
        "chain head read + update, event insert; finish = UPDATE … RETURNING, chain, event",
        "product event chain "
        + ("verified" if chain.broken_at is None else f"BROKEN at {chain.broken_at}"),
        "no target (report only)",
    ]
    return Result("call", "2 · call_next + finish at one window (SQLite file)", rows, notes)


def _pairs(values: list[float]) -> list[float]:
    """Transactions alternate call, finish: the sum per call + finish."""
    return [a + b for a, b in zip(values[0::2], values[1::2], strict=False)]


def _lock_rows(probe: Probe, raw: RawHall) -> list[Row]:
    held_p, held_f = Latency.of(_pairs(probe.held)), Latency.of(_pairs(raw.held))
    total_p, total_f = Latency.of(_pairs(probe.held_total)), Latency.of(_pairs(raw.held_total))
    return [
        Row("write lock held per call + finish, excl. COMMIT, mean", held_p.mean, held_f.mean,
            "ms"),
        Row("write lock held per call + finish, incl. 2 COMMITs, mean", total_p.mean,
            total_f.mean, "ms"),
        Row("lock-bound ceiling 1000 / mean(held incl. COMMIT)", 1000 / total_p.mean,
            1000 / total_f.mean, "calls/s", digits=0),
    ]  # fmt: skip
