"""One lock order for every write transaction (models/db.py), under a hall's real mix of work.

Kiosks take tickets (a fifth green channel) while eight counters press "next" (finish and call),
some transferring citizens to another queue and some marking no-shows and putting them back in
line, and a clerk pauses and resumes a window: all in their own processes, on a real PostgreSQL
server. Nobody may see 数据库忙 (db_busy), the server may log no deadlock, no queue may call more
than ``priority_run`` priority tickets in a row while a normal one waits (checked from the
events), and every number is issued once and called once per time in line.

Children are started with the "spawn" context; their code is in tests/support/mixload.py.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from models.clerks import staff
from models.db import make_engine, reading
from models.errors import MashangbanError, NothingWaiting
from models.events import verify_chain
from models.hall import hall_settings
from models.queue.calling import call_next
from models.queue.tickets import take_ticket
from models.tables import DayCounter, Event, Priority, Queue, Ticket, TicketStatus
from tests.conftest import NOW, PIN
from tests.support import mixload
from tests.support.mixload import CounterMix
from tests.support.pgserver import PostgresServer
from tests.support.workers import SPAWN, start_child

pytestmark = pytest.mark.slow

JOIN_TIMEOUT_S = 600.0

KIOSKS, TAKES_EACH, GREEN_SHARE = 2, 200, 0.2
KIOSK_QUEUES = ["M", "C", "D"]
BACKLOG = 50
"""Tickets waiting in each kiosk queue at the start (a fifth green), so counters compete."""
COUNTERS = [
    CounterMix(18),
    CounterMix(19, requeue_every=5),
    CounterMix(20),  # M, then C
    CounterMix(9),
    CounterMix(10, requeue_every=4),
    CounterMix(11, transfer_every=4, transfer_to="D"),
    CounterMix(12),  # C, then D
    CounterMix(13, transfer_every=5, transfer_to="M"),
]
CLERKS = {18: "1001", 19: "1002", 20: "1003", 9: "1004", 10: "1005", 11: "1006", 12: "1007"}
CLERKS[13] = "1008"
PAUSED_WINDOW = 1
"""A window nobody calls at, paused and resumed all along (window rows and events)."""


@pytest.fixture
def pg_url(pg_server: PostgresServer, pg_template: str) -> Iterator[str]:
    """A fresh, prepared PostgreSQL database for this test."""
    name = "lock_order"
    url = pg_server.create_database(name, template=pg_template)
    yield url
    pg_server.drop_database(name)


def join_all(procs: list[Any], deadline: float) -> None:
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    stuck = [p.pid for p in procs if p.is_alive()]
    assert not stuck, f"processes {stuck} still running"
    failed = {p.pid: p.exitcode for p in procs if p.exitcode != 0}
    assert not failed, f"child processes failed (pid: exit code): {failed}; see captured stderr"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def run_mix(url: str, tmp_path: Path, children: list[Any]) -> dict[str, Any]:
    """Kiosks, counters and a pausing clerk released together; what each reported."""
    go = SPAWN.Barrier(KIOSKS + len(COUNTERS) + 2)
    kiosks_done = SPAWN.Event()
    kiosk_outs = [tmp_path / f"kiosk-{i}.json" for i in range(KIOSKS)]
    counter_outs = [tmp_path / f"counter-{m.window}.json" for m in COUNTERS]
    pause_out = tmp_path / "pauser.json"
    kiosks = [
        start_child(children, mixload.kiosk, url, KIOSK_QUEUES, TAKES_EACH, GREEN_SHARE, i, NOW, go,
              str(out))
        for i, out in enumerate(kiosk_outs)
    ]  # fmt: skip
    counters = [
        start_child(children, mixload.counter, url, mix, NOW, go, kiosks_done, str(out))
        for mix, out in zip(COUNTERS, counter_outs, strict=True)
    ]
    pauser = start_child(children, mixload.pauser, url, PAUSED_WINDOW, NOW, go, kiosks_done,
                   str(pause_out))  # fmt: skip
    go.wait(mixload.START_TIMEOUT_S)
    began = time.monotonic()
    deadline = began + JOIN_TIMEOUT_S
    try:
        join_all(kiosks, deadline)
    finally:
        kiosks_done.set()
    join_all([*counters, pauser], deadline)
    return {
        "seconds": time.monotonic() - began,
        "kiosks": [read_json(out) for out in kiosk_outs],
        "counters": [read_json(out) for out in counter_outs],
        "pauser": read_json(pause_out),
    }


def priority_runs(engine: Engine) -> tuple[dict[str, int], list[str]]:
    """Replay the events: per queue, the longest run of priority calls made while a normal
    ticket waited, and every call that made a run longer than the hall allows."""
    with reading(engine) as session:
        max_run = hall_settings(session).priority_run
        prefix = {q.id: q.prefix for q in session.exec(select(Queue)).all()}
        tickets = {
            t.id: (prefix[t.queue_id], t.priority != Priority.NORMAL)
            for t in session.exec(select(Ticket)).all()
        }
        events = session.exec(select(Event).order_by(col(Event.seq))).all()
    normal_waiting: dict[str, set[int]] = defaultdict(set)
    run: Counter[str] = Counter()
    longest: Counter[str] = Counter()
    broken: list[str] = []

    def back_in_line(ticket_id: int) -> None:
        queue, priority = tickets[ticket_id]
        if not priority:
            normal_waiting[queue].add(ticket_id)

    for ev in events:
        if ev.ticket_id is None:
            continue
        queue, priority = tickets[ev.ticket_id]
        if ev.kind in ("issued", "requeued", "checked_in"):
            back_in_line(ev.ticket_id)
        elif ev.kind == "transferred":
            back_in_line(int(json.loads(ev.data)["new_ticket_id"]))
        elif ev.kind == "cancelled":
            normal_waiting[queue].discard(ev.ticket_id)
        elif ev.kind == "called":
            normal_waiting[queue].discard(ev.ticket_id)
            if priority and normal_waiting[queue]:
                run[queue] += 1
                longest[queue] = max(longest[queue], run[queue])
                if run[queue] > max_run:
                    number = json.loads(ev.data)["number"]
                    broken.append(f"event {ev.seq}: {number} is priority call {run[queue]}")
            else:
                run[queue] = 0
    return dict(longest), broken


def assert_numbers_once(engine: Engine) -> int:
    """Per queue the numbers are 1..N with no gap and the day counter says N; every ticket was
    called once per time it stood in line (issued, transferred in or requeued)."""
    with reading(engine) as session:
        tickets = session.exec(select(Ticket)).all()
        counters = {c.queue_id: c.last_seq for c in session.exec(select(DayCounter)).all()}
        kinds = session.exec(select(Event.kind, Event.ticket_id)).all()
    by_queue: dict[int, list[int]] = defaultdict(list)
    for t in tickets:
        by_queue[t.queue_id].append(t.seq)
    for queue_id, seqs in by_queue.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"queue {queue_id}: gap or twice"
        assert counters[queue_id] == len(seqs), f"queue {queue_id}: counter disagrees"
    called = Counter(tid for kind, tid in kinds if kind == "called")
    requeued = Counter(tid for kind, tid in kinds if kind == "requeued")
    twice = [t.number for t in tickets if called[t.id] > 1 + requeued[t.id]]
    assert not twice, f"tickets called twice for one time in line: {twice[:10]}"
    statuses = Counter(t.status for t in tickets)
    left = set(statuses) - {TicketStatus.DONE, TicketStatus.TRANSFERRED, TicketStatus.VOID}
    assert left <= {TicketStatus.WAITING}, f"tickets left half-served: {statuses}"
    return len(tickets)


def test_mixed_load_on_postgresql_no_busy_no_deadlock_priority_rule_held(
    pg_server: PostgresServer, pg_url: str, tmp_path: Path, children: list[Any]
) -> None:
    engine = make_engine(pg_url)
    try:
        for code in sorted(set(CLERKS.values()) - {"1001", "1002", "1003"}):
            staff.add_clerk(engine, code=code, name=f"窗口{code}", pin=PIN)
        for window, clerk in CLERKS.items():
            staff.login(engine, window=window, clerk=clerk, pin=PIN)
        rng = random.Random(11)
        for _ in range(BACKLOG):
            for queue in KIOSK_QUEUES:
                green = rng.random() < GREEN_SHARE
                priority = Priority.GREEN if green else Priority.NORMAL
                take_ticket(engine, queue=queue, priority=priority, now=NOW)
        mark = pg_server.log_mark()

        got = run_mix(pg_url, tmp_path, children)

        log = pg_server.log_since(mark)
        deadlocks = log.count("deadlock detected")
        serialization = log.count("could not serialize")
        errors: Counter[str] = Counter()
        for report in [*got["kiosks"], *got["counters"], got["pauser"]]:
            errors.update(report["errors"])
        calls = [s for c in got["counters"] for s in c["seconds"]]
        calls.sort()
        taken = sum(len(k["numbers"]) for k in got["kiosks"])
        longest, broken = priority_runs(engine)
        print(
            f"\n[mixed/postgresql] {taken} taken by {KIOSKS} kiosks, {len(calls)} calls by "
            f"{len(COUNTERS)} counters in {got['seconds']:.1f} s "
            f"({len(calls) / got['seconds']:.1f} calls/s, slowest call "
            f"{calls[-1] if calls else 0:.2f} s); transfers "
            f"{sum(c['transfers'] for c in got['counters'])}, requeues "
            f"{sum(c['requeues'] for c in got['counters'])}, pauses {got['pauser']['rounds']}; "
            f"refusals {dict(errors)}; deadlocks logged {deadlocks}, serialization failures "
            f"{serialization}; longest priority run per queue {longest}, over the rule "
            f"{len(broken)}"
        )

        assert not errors, f"operations refused or failed: {dict(errors)}"
        assert taken == KIOSKS * TAKES_EACH, "a kiosk did not get every ticket it asked for"
        assert deadlocks == 0, f"the server logged {deadlocks} deadlocks:\n{log[-3000:]}"
        assert serialization == 0
        assert not broken, f"priority rule broken {len(broken)} times: {broken[:10]}"
        assert assert_numbers_once(engine) >= taken
        report = verify_chain(engine)
        assert report.broken_at is None, f"event chain broken at {report.broken_at}"
    finally:
        engine.dispose()


def test_a_deadlock_that_still_happens_is_retried_not_shown_as_busy(
    pg_url: str, now: dt.datetime
) -> None:
    """Another writer takes the chain head, then the day counter (against the order); the take
    caught between them is the deadlock's victim, and runs again instead of saying 数据库忙."""
    engine = make_engine(pg_url)
    rogue = psycopg.connect(make_url(pg_url).set(drivername="postgresql").render_as_string(False))
    try:
        assert take_ticket(engine, queue="M", now=now).number == "M001"
        rogue.execute("SET deadlock_timeout = '20s'")  # so the take is the one PostgreSQL aborts
        rogue.execute("SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE")
        outcome: dict[str, Any] = {}

        def take() -> None:
            try:
                outcome["number"] = take_ticket(engine, queue="M", now=now).number
            except MashangbanError as exc:
                outcome["refused"] = exc.key

        taker = threading.Thread(target=take)
        taker.start()
        deadline = time.monotonic() + 60
        waiting = 0
        while not waiting and time.monotonic() < deadline:  # the take waits for the chain head
            row = rogue.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            waiting = row[0] if row else 0
        assert waiting, "the take never came to wait for the chain head"
        rogue.execute("UPDATE day_counter SET priority_run = 0")  # the take holds M's counter
        rogue.commit()
        taker.join(60)
        assert outcome == {"number": "M002"}, outcome
    finally:
        rogue.close()
        engine.dispose()


def test_first_call_of_the_day_locks_a_counter_that_did_not_exist(
    pg_url: str, now: dt.datetime
) -> None:
    """The "next" key before any take today creates the counter row it locks; numbers still
    start at 1."""
    engine = make_engine(pg_url)
    try:
        staff.login(engine, window=20, clerk="1001", pin=PIN)  # M, then C
        with pytest.raises(NothingWaiting):
            call_next(engine, window=20, now=now)
        assert take_ticket(engine, queue="C", now=now).number == "C001"
        assert call_next(engine, window=20, finish_current=True, now=now).number == "C001"
        assert take_ticket(engine, queue="M", now=now).number == "M001"
    finally:
        engine.dispose()
