"""Benchmark 1: take a ticket (models.queue.tickets.take_ticket) against the raw sqlite3 floor.

Both run on their own copy of the same prepared database (caps lifted), one kiosk each, back
to back and strictly alternating (one product take, one floor take), so both see the same disk
and machine at each moment: fsync latency on shared storage drifts within seconds.
Takes go round the seven queues, as a hall's kiosks do.
"""

from __future__ import annotations

import gc
import sqlite3
import time
from pathlib import Path

from bench.common import NOW, Latency, Result, Row, Sizes, Verdict, latency_rows
from bench.floors import Moment, RawHall
from bench.halldb import copy_db, lift_caps, queue_ids, url_for
from bench.probes import Probe
from models.db import make_engine
from models.events import verify_chain
from models.queue.tickets import take_ticket

TARGET_P99_RATIO = 3.0


def run(sizes: Sizes, workdir: Path, template: Path) -> Result:
    """Measure take latency and throughput; the target is p99 ≤ 3 × the floor's p99."""
    product_path = copy_db(template, workdir, "take_product.db")
    floor_path = copy_db(template, workdir, "take_floor.db")
    for path in (product_path, floor_path):
        lift_caps(path)
    ids = queue_ids(floor_path)
    prefixes = sorted(ids)
    engine = make_engine(url_for(product_path))
    probe = Probe(engine)
    raw = RawHall(floor_path, Moment.of(NOW, NOW.date()))
    product: list[float] = []
    floor: list[float] = []
    try:
        for i in range(sizes.take_warmup):
            prefix = prefixes[i % len(prefixes)]
            take_ticket(engine, queue=prefix, now=NOW)
            raw.take(ids[prefix], prefix)
        probe.reset()
        raw.reset()
        gc.collect()
        for i in range(sizes.takes):
            prefix = prefixes[i % len(prefixes)]
            start = time.perf_counter()
            take_ticket(engine, queue=prefix, now=NOW)
            product.append(time.perf_counter() - start)
            start = time.perf_counter()
            raw.take(ids[prefix], prefix)
            floor.append(time.perf_counter() - start)
        statements = probe.statements / sizes.takes
        chain = verify_chain(engine)
    finally:
        probe.close()
        engine.dispose()
        raw.close()
    p, f = Latency.of(product), Latency.of(floor)
    limit = TARGET_P99_RATIO * f.p99
    rows = latency_rows("take", p, f, target=f"≤ {TARGET_P99_RATIO:g}× floor = {limit:.2f} ms")
    rows += [
        Row("take max", p.max, f.max, "ms"),
        Row("throughput, one kiosk back to back", len(product) / sum(product),
            len(floor) / sum(floor), "takes/s", digits=0),
        *_lock_rows(probe, raw),
        Row("SQL statements per take", statements, 5.0, "stmts", digits=1),
    ]  # fmt: skip
    counts = [_count(product_path), _count(floor_path)]
    notes = [
        f"{sizes.takes} takes each after {sizes.take_warmup} warm-up, alternating product/floor "
        f"one by one; queues A-F and M in turn (about {counts[0] // 7} waiting per queue at the "
        "end, which take's place-in-line lookup reads)",
        f"tickets written: mashangban {counts[0]}, floor {counts[1]}; product event chain "
        + ("verified" if chain.broken_at is None else f"BROKEN at {chain.broken_at}"),
        "floor statements: counter upsert, ticket insert, chain head read, update, event insert",
        "lock held = BEGIN IMMEDIATE granted → COMMIT issued (Python + SQL under the write lock); "
        "COMMIT = the fsync of synchronous=FULL",
    ]
    passed = p.p99 <= limit and chain.broken_at is None
    verdict = Verdict(
        "take",
        passed,
        f"take p99 {p.p99:.2f} ms vs {TARGET_P99_RATIO:g} × floor p99 {f.p99:.2f} ms "
        f"= {limit:.2f} ms (ratio {p.p99 / f.p99:.1f}×; p50 ratio {p.p50 / f.p50:.1f}×)",
    )
    return Result("take", "1 · take a ticket (SQLite file)", rows, notes, [verdict])


def _lock_rows(probe: Probe, raw: RawHall) -> list[Row]:
    held_p, held_f = Latency.of(probe.held), Latency.of(raw.held)
    commit_p = Latency.of([t - h for t, h in zip(probe.held_total, probe.held, strict=True)])
    commit_f = Latency.of([t - h for t, h in zip(raw.held_total, raw.held, strict=True)])
    return [
        Row("write lock held per take p50 (excl. COMMIT)", held_p.p50, held_f.p50, "ms"),
        Row("write lock held per take p99 (excl. COMMIT)", held_p.p99, held_f.p99, "ms"),
        Row("COMMIT p50", commit_p.p50, commit_f.p50, "ms"),
        Row("COMMIT p99", commit_p.p99, commit_f.p99, "ms"),
    ]


def _count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM ticket").fetchone()[0])
    finally:
        con.close()
