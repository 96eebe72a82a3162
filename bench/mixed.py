"""Benchmark 10: the hall's real mix on PostgreSQL — counters pressing "next" while kiosks take.

8 and then 16 counter processes press "next" (call_next(finish_current=True)) while 2 kiosk
processes take tickets, a fifth of them green channel, on a real PostgreSQL 15 server started
for the run (tests/support/pgserver.py). Each starts from a copy of the same database: the
Jinan hall, a clerk at every window, a backlog of waiting tickets. Counters stop when the kiosks
are done and nothing waits. The workers are tests/support/mixload.py's, as the lock-order test
(tests/system/test_lock_order.py) uses them.

The floor: the same processes doing the same rows with raw psycopg and nothing else — lock the
window's day counters, finish the window's ticket, claim the first waiting one with
``FOR UPDATE SKIP LOCKED``, append to the event chain; a take bumps its counter, inserts the
ticket, appends its event. No priority rule, no views, no ORM.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import NOW, QUICK, Latency, Result, Row, Sizes, Verdict

BARRIER_TIMEOUT_S = 300.0
KIOSKS, GREEN_SHARE = 2, 0.2
CALLERS = {
    8: [9, 10, 11, 12, 13, 18, 19, 20],  # C, D, M
    16: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 18, 19, 20],  # and A, B
}
QUEUES = {8: ["M", "C", "D"], 16: ["A", "B", "C", "D", "M"]}
FULL_WORK = (60, 200)
"""Waiting tickets per queue at the start, takes per kiosk (D's daily cap is 200)."""
QUICK_WORK = (30, 80)


@dataclass(frozen=True)
class MixRun:
    """One run of the mix, summarised."""

    calls: int
    seconds: float
    call: Latency
    take: Latency
    taken: int
    asked: int
    errors: dict[str, int]
    deadlocks: int

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


# ----------------------------------------------------------------------------- the floor


def _one(cursor: Any) -> Any:
    row = cursor.fetchone()
    assert row is not None
    return row


def _append(cur: Any, kind: str, ticket_id: int, window: int | None, number: str) -> None:
    from models.events import canonical, event_hash

    seq, prev = _one(cur.execute("SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE"))
    data = canonical({"number": number})
    digest = event_hash(prev_hash=prev, seq=seq + 1, at=NOW, kind=kind, ticket_id=ticket_id,
                        window=window, clerk_code=None, data=data)  # fmt: skip
    cur.execute("UPDATE chain_head SET seq = %s, hash = %s WHERE id = 1", (seq + 1, digest))
    cur.execute(
        'INSERT INTO event (seq, at, kind, ticket_id, "window", clerk_code, data, prev_hash, '
        "hash) VALUES (%s, %s, %s, %s, %s, NULL, %s, %s, %s)",
        (seq + 1, NOW, kind, ticket_id, window, data, prev, digest),
    )


def floor_kiosk(dsn: str, queues: list[str], count: int, green_share: float, seed: int,
                now: Any, start: Any, out: str) -> None:  # fmt: skip
    """Raw takes: counter upsert, ticket insert, event (mixload.kiosk's arguments)."""
    import psycopg

    rng = random.Random(seed)
    seconds: list[float] = []
    with psycopg.connect(dsn) as con:
        ids: dict[str, int] = {p: i for p, i in con.execute("SELECT prefix, id FROM queue")}
        con.commit()
        start.wait(BARRIER_TIMEOUT_S)
        for _ in range(count):
            prefix = rng.choice(queues)
            green = rng.random() < green_share
            began = time.perf_counter()
            with con.transaction(), con.cursor() as cur:
                (seq,) = _one(
                    cur.execute(
                        "INSERT INTO day_counter (business_date, queue_id, last_seq, priority_run) "
                        "VALUES (%s, %s, 1, 0) ON CONFLICT (business_date, queue_id) DO UPDATE "
                        "SET last_seq = day_counter.last_seq + 1 RETURNING last_seq",
                        (NOW.date(), ids[prefix]),
                    )
                )
                number = f"{prefix}{seq:03d}"
                (tid,) = _one(cur.execute(
                    "INSERT INTO ticket (business_date, queue_id, seq, number, priority, status, "
                    "order_key, issued_at, recalls, misses, token) VALUES "
                    "(%s, %s, %s, %s, %s, 'waiting', %s, %s, 0, 0, %s) RETURNING id",
                    (NOW.date(), ids[prefix], seq, number, "green" if green else "normal",
                     float(seq), NOW, f"{rng.getrandbits(64):016x}"),
                ))  # fmt: skip
                _append(cur, "issued", tid, None, number)
            seconds.append(time.perf_counter() - began)
    _write(out, {"numbers": [0] * len(seconds), "errors": {}, "seconds": seconds})


def floor_counter(dsn: str, mix: Any, now: Any, start: Any, kiosks_done: Any, out: str) -> None:
    """Raw "next": lock the counters, finish, claim with SKIP LOCKED, events (mixload.counter's
    arguments; only the window of ``mix`` counts)."""
    import psycopg

    window = mix.window
    seconds: list[float] = []
    with psycopg.connect(dsn) as con:
        queues = [q for (q,) in con.execute(
            "SELECT queue_id FROM window_queue WHERE window_number = %s ORDER BY position",
            (window,))]  # fmt: skip
        con.commit()
        start.wait(BARRIER_TIMEOUT_S)
        while True:
            began = time.perf_counter()
            with con.transaction(), con.cursor() as cur:
                cur.execute(
                    "SELECT queue_id FROM day_counter WHERE business_date = %s AND queue_id = "
                    "ANY(%s) ORDER BY queue_id FOR UPDATE",
                    (NOW.date(), sorted(queues)),
                )
                done = cur.execute(
                    "UPDATE ticket SET status = 'done', finished_at = %s, started_at = "
                    'coalesce(started_at, called_at) WHERE "window" = %s AND status IN '
                    "('called', 'serving') RETURNING id, number",
                    (NOW, window),
                ).fetchone()
                if done:
                    _append(cur, "finished", done[0], window, done[1])
                claimed = None
                for queue in queues:
                    claimed = cur.execute(
                        "UPDATE ticket SET status = 'called', \"window\" = %s, called_at = %s "
                        "WHERE id = (SELECT id FROM ticket WHERE business_date = %s AND status = "
                        "'waiting' AND queue_id = %s ORDER BY order_key, id LIMIT 1 FOR UPDATE "
                        "SKIP LOCKED) RETURNING id, number",
                        (window, NOW, NOW.date(), queue),
                    ).fetchone()
                    if claimed:
                        _append(cur, "called", claimed[0], window, claimed[1])
                        break
            if claimed:
                seconds.append(time.perf_counter() - began)
            elif kiosks_done.is_set():
                break
            else:
                time.sleep(0.02)
    _write(out, {"window": window, "called": [0] * len(seconds), "errors": {}, "seconds": seconds})


def _write(path: str, payload: Any) -> None:
    Path(path).write_text(json.dumps(payload), encoding="utf-8")


# ----------------------------------------------------------------------------- the runs


def _prepare(url: str, windows: list[int], queues: list[str], backlog: int) -> None:
    """Schema, the Jinan hall, a clerk at each window, ``backlog`` waiting tickets per queue."""
    from models.clerks import staff
    from models.db import make_engine
    from models.hall import default_hall_path, read_hall_file, store_hall
    from models.queue.tickets import take_ticket
    from models.schema import upgrade

    engine = make_engine(url)
    rng = random.Random(7)
    try:
        upgrade(engine)
        config, text = read_hall_file(default_hall_path())
        store_hall(engine, config, text)
        for window in windows:
            code = f"3{window:03d}"
            staff.add_clerk(engine, code=code, name=f"窗口{window}", pin="246813")
            staff.login(engine, window=window, clerk=code, pin="246813")
        for _ in range(backlog):
            for queue in queues:
                green = rng.random() < GREEN_SHARE
                take_ticket(engine, queue=queue, priority="green" if green else "normal", now=NOW)
    finally:
        engine.dispose()


def _mix(server: Any, template: str, name: str, callers: int, takes: int, floor: bool,
         workdir: Path) -> MixRun:  # fmt: skip
    """Run one mix on a fresh copy of ``template``."""
    from tests.support import mixload

    url = server.create_database(name, template=template)
    target = url.replace("postgresql+psycopg://", "postgresql://") if floor else url
    ctx = mp.get_context("spawn")
    windows, queues = CALLERS[callers], QUEUES[callers]
    go, kiosks_done = ctx.Barrier(KIOSKS + len(windows) + 1), ctx.Event()
    kiosk, counter = (floor_kiosk, floor_counter) if floor else (mixload.kiosk, mixload.counter)
    kiosk_outs = [workdir / f"{name}-kiosk-{i}.json" for i in range(KIOSKS)]
    counter_outs = [workdir / f"{name}-window-{w}.json" for w in windows]
    kiosk_procs = [
        ctx.Process(target=kiosk, args=(target, queues, takes, GREEN_SHARE, i, NOW, go, str(o)))
        for i, o in enumerate(kiosk_outs)
    ]
    counter_procs = [
        ctx.Process(target=counter,
                    args=(target, mixload.CounterMix(w), NOW, go, kiosks_done, str(o)))
        for w, o in zip(windows, counter_outs, strict=True)
    ]  # fmt: skip
    for proc in [*kiosk_procs, *counter_procs]:
        proc.start()
    mark = server.log_mark()
    go.wait(BARRIER_TIMEOUT_S)
    began = time.perf_counter()
    for proc in kiosk_procs:
        proc.join()
    kiosks_done.set()
    for proc in counter_procs:
        proc.join()
    seconds = time.perf_counter() - began
    deadlocks = server.log_since(mark).count("deadlock detected")
    server.drop_database(name)
    reports = [json.loads(o.read_text(encoding="utf-8")) for o in [*kiosk_outs, *counter_outs]]
    errors: Counter[str] = Counter()
    for report in reports:
        errors.update(report["errors"])
    calls = [s for r in reports if "window" in r for s in r["seconds"]]
    take = [s for r in reports if "window" not in r for s in r["seconds"]]
    return MixRun(len(calls), seconds, Latency.of(calls), Latency.of(take), len(take),
                  KIOSKS * takes, dict(errors), deadlocks)  # fmt: skip


def run(sizes: Sizes, workdir: Path) -> Result:
    """8 and 16 callers with 2 kiosks, the product and then the floor, on one server."""
    from tests.support.pgserver import PostgresServer

    backlog, takes = QUICK_WORK if sizes == QUICK else FULL_WORK
    rows: list[Row] = []
    notes: list[str] = []
    verdicts: list[Verdict] = []
    with PostgresServer() as server:
        for callers in CALLERS:
            template = f"mixed_template_{callers}"
            _prepare(server.create_database(template), CALLERS[callers], QUEUES[callers], backlog)
            p = _mix(server, template, f"mixed_p{callers}", callers, takes, False, workdir)
            f = _mix(server, template, f"mixed_f{callers}", callers, takes, True, workdir)
            label = f"{callers} callers + {KIOSKS} kiosks:"
            rows += [
                Row(f"{label} calls per second", p.rate, f.rate, "calls/s"),
                Row(f"{label} call p50", p.call.p50, f.call.p50, "ms"),
                Row(f"{label} call p99", p.call.p99, f.call.p99, "ms"),
                Row(f"{label} slowest call", p.call.max, f.call.max, "ms"),
                Row(f"{label} take p99", p.take.p99, f.take.p99, "ms"),
                Row(f"{label} tickets taken", p.taken, f.taken, f"of {p.asked}", "all", 0),
                Row(f"{label} refusals (db_busy …)", sum(p.errors.values()), 0, "", "0", 0),
                Row(f"{label} deadlocks (server log)", p.deadlocks, f.deadlocks, "", "0", 0),
            ]  # fmt: skip
            if p.errors:
                notes.append(f"{callers} callers: refusals {p.errors}")
            clean = not p.errors and p.deadlocks == 0 and p.taken == p.asked
            verdicts.append(Verdict(
                f"mixed-{callers}", clean,
                f"{callers} callers + {KIOSKS} kiosks on PostgreSQL: {p.rate:.1f} calls/s "
                f"(floor {f.rate:.1f}), call p99 {p.call.p99:.0f} ms (floor {f.call.p99:.0f}), "
                f"refusals {sum(p.errors.values())}, deadlocks {p.deadlocks}, "
                f"{p.taken}/{p.asked} taken",
            ))  # fmt: skip
    notes[:0] = [
        f"each run starts with {backlog} waiting tickets in each served queue and {KIOSKS} "
        f"kiosks taking {takes} each, {GREEN_SHARE:.0%} green channel; 8 callers: windows "
        "9-13, 18-20 (C, D, M); 16 callers: also 1-8 (A, B)",
        "target: nobody refused, no deadlock in the server log, every take served; "
        "speed is reported against the floor (same rows, raw psycopg, no priority rule)",
    ]
    title = "10 · mixed load on PostgreSQL: counters press “next” while kiosks take"
    return Result("mixed", title, rows, notes, verdicts, floor="raw psycopg")
