"""The two laws of DESIGN.md "Concurrency", with real OS processes on SQLite and PostgreSQL.

1. A number is issued once: kiosks taking at the same moment get unique numbers without gaps.
2. A ticket is called once: eight counters draining 2,000 tickets never share one.
And a process killed in the middle of a take or a call leaves nothing half-done and no lock.

Children are started with the "spawn" context (fresh interpreters, their own engines); their
code is in tests/support/workers.py.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from models.clerks import staff
from models.db import make_engine, reading, writing
from models.events import append_event, verify_chain
from models.hall import hall_settings
from models.lookup import get_queue
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import issue, take_ticket
from models.tables import ChainHead, DayCounter, Event, Priority, Ticket, TicketStatus
from models.timeutil import business_date
from tests.conftest import NOW, PIN
from tests.support import workers
from tests.support.workers import SPAWN, start_child

pytestmark = pytest.mark.slow

JOIN_TIMEOUT_S = 180.0

DRAIN_PLAN = {"M": 800, "C": 800, "D": 400}
"""2,000 waiting tickets; every 10th is green channel, to exercise the priority path too."""
DRAIN_WINDOWS = {
    **{18: "1001", 19: "1002", 20: "1003"},  # 18, 19 serve M; 20 serves M then C
    **{9: "1004", 10: "1005", 11: "1006"},  # C
    **{12: "1007", 13: "1008"},  # 12 serves C then D; 13 serves D
}
"""Eight windows and their clerks (1004-1008 are added by the test), one process each."""

TAKERS, TAKES_EACH, TAKE_QUEUE = 4, 120, "F"
"""Queue F has no daily cap (M stops at 400), so 480 concurrent takes must all succeed."""


def backend(url: str) -> str:
    return make_url(url).get_backend_name()


def join_all(procs: list[Any], timeout: float = JOIN_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    stuck = [p.pid for p in procs if p.is_alive()]
    assert not stuck, f"processes {stuck} still running after {timeout:.0f} s"
    failed = {p.pid: p.exitcode for p in procs if p.exitcode != 0}
    assert not failed, f"child processes failed (pid: exit code): {failed}; see captured stderr"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def assert_chain_intact(engine: Engine) -> int:
    report = verify_chain(engine)
    assert report.broken_at is None, f"event chain broken at {report.broken_at}: {report.detail}"
    with reading(engine) as session:
        head = session.get(ChainHead, 1)
        assert head is not None and head.seq == report.events
    return report.events


def events_per_ticket(engine: Engine, kind: str) -> Counter[int]:
    with reading(engine) as session:
        rows = session.exec(select(Event.ticket_id).where(Event.kind == kind)).all()
    return Counter(r for r in rows if r is not None)


def assert_numbers_intact(engine: Engine, prefix: str) -> list[str]:
    """Law 1 after the fact: tickets == day counter == issued events, numbered 1..N, no gap."""
    with reading(engine) as session:
        queue = get_queue(session, prefix)
        tickets = session.exec(
            select(Ticket).where(Ticket.queue_id == queue.id).order_by(col(Ticket.seq))
        ).all()
        day = business_date(NOW, hall_settings(session).timezone)
        counter = session.get(DayCounter, (day, queue.id))
    assert all(t.business_date == day for t in tickets)
    seqs = [t.seq for t in tickets]
    assert seqs == list(range(1, len(seqs) + 1)), f"{prefix}: numbers with a gap or twice"
    last = counter.last_seq if counter else 0
    assert last == len(tickets), f"{prefix}: day counter {last} but {len(tickets)} tickets"
    issued = events_per_ticket(engine, "issued")
    assert all(issued[t.id] == 1 for t in tickets), "a ticket without, or with two, issued events"
    with reading(engine) as session:
        all_ids = set(session.exec(select(Ticket.id)).all())
    assert set(issued) <= all_ids, "an issued event for a ticket that does not exist"
    return [t.number for t in tickets]


# --------------------------------------------------------------------------- law 2: drain


def prefill(engine: Engine, plan: dict[str, int]) -> None:
    """Issue waiting tickets in one transaction, each with its issued event (chain stays valid)."""
    with writing(engine) as session:
        settings = hall_settings(session)
        for prefix, count in plan.items():
            queue = get_queue(session, prefix)
            for i in range(count):
                priority = Priority.GREEN if i % 10 == 9 else Priority.NORMAL
                ticket = issue(
                    session,
                    settings=settings,
                    queue=queue,
                    moment=NOW,
                    item_code=None,
                    priority=priority,
                    cap=False,
                )
                data = {"number": ticket.number, "priority": priority, "item": None}
                append_event(session, kind="issued", ticket_id=ticket.id, at=NOW, data=data)


def test_eight_counters_drain_2000_tickets_each_called_once(
    db_url: str, engine: Engine, tmp_path: Path, children: list[Any]
) -> None:
    total = sum(DRAIN_PLAN.values())
    prefill(engine, DRAIN_PLAN)
    for clerk in sorted(set(DRAIN_WINDOWS.values()) - {"1001", "1002", "1003"}):
        staff.add_clerk(engine, code=clerk, name=f"窗口{clerk}", pin=PIN)
    for window, clerk in DRAIN_WINDOWS.items():
        staff.login(engine, window=window, clerk=clerk, pin=PIN)
    events_before = assert_chain_intact(engine)

    go = SPAWN.Barrier(len(DRAIN_WINDOWS) + 1)
    outs = {w: tmp_path / f"drain-{w}.json" for w in DRAIN_WINDOWS}
    procs = [
        start_child(children, workers.drain, db_url, w, NOW, go, str(outs[w]))
        for w in DRAIN_WINDOWS
    ]
    go.wait(workers.START_TIMEOUT_S)
    began = time.monotonic()
    join_all(procs)
    elapsed = time.monotonic() - began

    got: dict[str, int] = {}
    duplicates: list[str] = []
    for window, out in outs.items():
        for number in read_json(out)["numbers"]:
            if number in got:
                duplicates.append(f"{number} at windows {got[number]} and {window}")
            got[number] = window
    assert not duplicates, f"tickets called twice: {duplicates[:10]}"
    print(
        f"\n[drain/{backend(db_url)}] {total} tickets called and finished by "
        f"{len(procs)} processes in {elapsed:.1f} s: {total / elapsed:.0f} tickets/s "
        f"({2 * total / elapsed:.0f} write transactions/s); per window "
        f"{dict(Counter(got.values()))}"
    )

    with reading(engine) as session:
        tickets = session.exec(select(Ticket)).all()
    assert len(tickets) == total
    assert set(got) == {t.number for t in tickets}, "called set differs from the tickets"
    assert Counter(t.status for t in tickets) == {TicketStatus.DONE: total}
    assert all(t.window == got[t.number] for t in tickets), "ticket done at another window"
    called = events_per_ticket(engine, "called")
    assert sum(called.values()) == total and set(called.values()) == {1}
    finished = events_per_ticket(engine, "finished")
    assert sum(finished.values()) == total and set(finished.values()) == {1}
    assert assert_chain_intact(engine) == events_before + 2 * total


# --------------------------------------------------------------------------- law 1: take


def run_takers(
    db_url: str, tmp_path: Path, children: list[Any], queue: str, each: int
) -> list[dict[str, Any]]:
    """TAKERS kiosk processes released together, each trying ``each`` takes in ``queue``."""
    go = SPAWN.Barrier(TAKERS + 1)
    outs = [tmp_path / f"take-{queue}-{i}.json" for i in range(TAKERS)]
    procs = [
        start_child(children, workers.take_many, db_url, queue, each, NOW, go, str(out))
        for out in outs
    ]
    go.wait(workers.START_TIMEOUT_S)
    began = time.monotonic()
    join_all(procs)
    elapsed = time.monotonic() - began
    results = [read_json(out) for out in outs]
    got = sum(len(r["numbers"]) for r in results)
    print(f"\n[take/{backend(db_url)}] {got} tickets by {TAKERS} processes in {elapsed:.1f} s")
    for result in results:
        assert result["numbers"] == sorted(result["numbers"]), "a kiosk's numbers went backwards"
    return results


def test_concurrent_kiosks_get_unique_consecutive_numbers(
    db_url: str, engine: Engine, tmp_path: Path, children: list[Any]
) -> None:
    results = run_takers(db_url, tmp_path, children, TAKE_QUEUE, TAKES_EACH)
    total = TAKERS * TAKES_EACH
    assert [len(r["numbers"]) for r in results] == [TAKES_EACH] * TAKERS
    assert not any(r["full"] for r in results), "queue F has no cap"
    union = [n for r in results for n in r["numbers"]]
    assert len(set(union)) == total, "a number was issued twice"
    expected = [f"{TAKE_QUEUE}{seq:03d}" for seq in range(1, total + 1)]
    assert sorted(union) == expected
    assert assert_numbers_intact(engine, TAKE_QUEUE) == expected
    assert_chain_intact(engine)


def test_concurrent_kiosks_stop_exactly_at_the_daily_cap(
    db_url: str, engine: Engine, tmp_path: Path, children: list[Any]
) -> None:
    with reading(engine) as session:
        cap = get_queue(session, "M").daily_cap
    assert cap == 400
    each = cap // TAKERS + 10
    results = run_takers(db_url, tmp_path, children, "M", each)
    union = [n for r in results for n in r["numbers"]]
    assert len(union) == len(set(union)) == cap, "more or fewer tickets than the cap"
    assert sum(r["full"] for r in results) == TAKERS * each - cap
    # The refused takes rolled their counter increments back: the counter stays at the cap.
    assert assert_numbers_intact(engine, "M") == [f"M{seq:03d}" for seq in range(1, cap + 1)]
    assert_chain_intact(engine)


# --------------------------------------------------------------------------- killed midway


def kill_when_reached(children: list[Any], target: Any, *args: Any) -> None:
    """Start a child that hangs inside its transaction, wait for the signal, SIGKILL it."""
    reached = SPAWN.Event()
    proc = start_child(children, target, *args, reached)
    assert reached.wait(workers.START_TIMEOUT_S), "the child never reached the statement"
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(30)
    assert proc.exitcode == -signal.SIGKILL


def survivor(children: list[Any], target: Any, *args: Any, out: Path) -> dict[str, Any]:
    """Run the next take or call in a fresh process; it must not wait on a stale lock."""
    proc = start_child(children, target, *args, str(out))
    join_all([proc], timeout=60)
    result = read_json(out)
    assert result["seconds"] < 10, f"the next operation waited {result['seconds']:.1f} s"
    return result


def test_kiosk_killed_while_taking_leaves_no_half_ticket(
    db_url: str, engine: Engine, tmp_path: Path, children: list[Any]
) -> None:
    for _ in range(2):
        take_ticket(engine, queue="M", now=NOW)

    kill_when_reached(children, workers.take_and_hang, db_url, "M", NOW)

    fresh = make_engine(db_url)
    try:
        assert assert_numbers_intact(fresh, "M") == ["M001", "M002"], "half-issued ticket"
        assert_chain_intact(fresh)
        result = survivor(children, workers.take_one, db_url, "M", NOW, out=tmp_path / "t.json")
        assert result["number"] == "M003", "the killed take left a gap or took a number"
        assert assert_numbers_intact(fresh, "M") == ["M001", "M002", "M003"]
        assert_chain_intact(fresh)
    finally:
        fresh.dispose()


def test_counter_killed_while_calling_leaves_ticket_waiting(
    db_url: str, engine: Engine, tmp_path: Path, children: list[Any]
) -> None:
    for _ in range(3):
        take_ticket(engine, queue="M", now=NOW)
    staff.login(engine, window=18, clerk="1001", pin=PIN)

    kill_when_reached(children, workers.call_and_hang, db_url, 18, NOW)

    fresh = make_engine(db_url)
    try:
        with reading(fresh) as session:
            first = session.exec(select(Ticket).where(Ticket.number == "M001")).one()
            at_window = session.exec(
                select(func.count()).select_from(Ticket).where(Ticket.window == 18)
            ).one()
        assert first.status == TicketStatus.WAITING and first.called_at is None
        assert at_window == 0, "the killed call left a ticket at the window"
        assert not events_per_ticket(fresh, "called"), "a called event survived the kill"
        assert_chain_intact(fresh)

        result = survivor(children, workers.call_one, db_url, 18, NOW, out=tmp_path / "c.json")
        assert result["number"] == "M001", "the ticket being claimed was lost or skipped"
        assert events_per_ticket(fresh, "called") == {first.id: 1}
        finish(fresh, window=18, now=NOW)
        assert call_next(fresh, window=18, now=NOW).number == "M002"
        assert_chain_intact(fresh)
    finally:
        fresh.dispose()
