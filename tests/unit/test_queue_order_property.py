"""Property test: the real queue order against a plain reference model of the rules.

Hypothesis generates sequences of operations (take normal/green tickets in M and C, call at
window 20 (M then C) and window 18 (M only), no-show, requeue, finish). Each runs on a fresh
SQLite database and on a list model written here from DESIGN.md "Queue order", independent of
models.queue.queueing. Every call must return the ticket the model predicts; at the end every
ticket's status must match and the remaining line must drain in the model's order.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from models.clerks import staff
from models.db import make_engine, reading
from models.errors import NothingWaiting, Refused
from models.events import verify_chain
from models.hall import hall_settings
from models.queue.calling import call_next
from models.queue.serving import finish, mark_no_show, requeue
from models.queue.tickets import take_ticket
from models.tables import Ticket
from tests.conftest import NOW, PIN

PRIORITY_RUN = 2
REQUEUE_OFFSET = 3
MAX_MISSES = 2
WINDOWS = {20: ("M", "C"), 18: ("M",)}
CLERK_AT = {20: "1001", 18: "1002"}


@dataclass
class Tk:
    number: str
    queue: str
    priority: bool
    misses: int = 0
    status: str = "waiting"


@dataclass
class Model:
    """The hall as a citizen would explain it: one line (a list) per queue."""

    lines: dict[str, list[Tk]] = field(default_factory=lambda: {"M": [], "C": []})
    run: dict[str, int] = field(default_factory=lambda: {"M": 0, "C": 0})
    issued: dict[str, int] = field(default_factory=lambda: {"M": 0, "C": 0})
    at_window: dict[int, Tk | None] = field(default_factory=lambda: {20: None, 18: None})
    tickets: list[Tk] = field(default_factory=list)
    missed: list[Tk] = field(default_factory=list)
    """Tickets that missed a call at least once, in the order they first missed."""

    def take(self, queue: str, priority: bool) -> Tk:
        self.issued[queue] += 1
        tk = Tk(f"{queue}{self.issued[queue]:03d}", queue, priority)
        self.lines[queue].append(tk)
        self.tickets.append(tk)
        return tk

    def call(self, window: int) -> Tk | None:
        for queue in WINDOWS[window]:
            line = self.lines[queue]
            first_prio = next((t for t in line if t.priority), None)
            first_norm = next((t for t in line if not t.priority), None)
            if first_prio is not None and (first_norm is None or self.run[queue] < PRIORITY_RUN):
                chosen = first_prio
                # Only priority calls made while a normal ticket waits count towards the run.
                self.run[queue] = self.run[queue] + 1 if first_norm is not None else 0
            elif first_norm is not None:
                chosen = first_norm
                self.run[queue] = 0
            else:
                continue
            line.remove(chosen)
            chosen.status = "called"
            self.at_window[window] = chosen
            return chosen
        return None

    def leave_window(self, window: int, status: str) -> Tk:
        tk = self.at_window[window]
        assert tk is not None
        self.at_window[window] = None
        tk.status = status
        return tk

    def no_show(self, window: int) -> Tk:
        tk = self.at_window[window]
        assert tk is not None
        tk.misses += 1
        if tk not in self.missed:
            self.missed.append(tk)
        return self.leave_window(window, "void" if tk.misses >= MAX_MISSES else "missed")

    def requeue(self, tk: Tk) -> None:
        line = self.lines[tk.queue]
        line.insert(min(REQUEUE_OFFSET, len(line)), tk)
        tk.status = "waiting"


def _db_statuses(engine) -> dict[str, str]:
    with reading(engine) as session:
        return {t.number: str(t.status) for t in session.exec(select(Ticket)).all()}


def _expect_refused(key: str, func, **kwargs) -> None:
    with pytest.raises(Refused) as info:
        func(**kwargs)
    assert info.value.key == key


def _apply(engine, model: Model, op: tuple) -> None:
    kind = op[0]
    if kind == "take":
        _, queue, priority = op
        view = take_ticket(engine, queue=queue, priority=priority, now=NOW)
        expected = model.take(queue, priority != "normal")
        assert view.number == expected.number
        return
    if kind == "requeue":
        if not model.missed:
            return
        tk = model.missed[op[1] % len(model.missed)]
        if tk.status == "void":
            _expect_refused("void_misses", requeue, engine=engine, number=tk.number, now=NOW)
        elif tk.status != "missed":
            _expect_refused("wrong_state", requeue, engine=engine, number=tk.number, now=NOW)
        else:
            view = requeue(engine, number=tk.number, now=NOW)
            assert view.status == "waiting"
            model.requeue(tk)
        return
    window = op[1]
    if kind == "call":
        if model.at_window[window] is not None:
            _expect_refused("window_busy", call_next, engine=engine, window=window, now=NOW)
            return
        expected = model.call(window)
        if expected is None:
            with pytest.raises(NothingWaiting):
                call_next(engine, window=window, now=NOW)
            return
        view = call_next(engine, window=window, now=NOW)
        assert view.number == expected.number, f"window {window} called the wrong ticket"
        assert view.status == "called" and view.window == window
        return
    if model.at_window[window] is None:
        func = finish if kind == "finish" else mark_no_show
        _expect_refused("no_current", func, engine=engine, window=window, now=NOW)
        return
    if kind == "finish":
        view = finish(engine, window=window, now=NOW)
        expected = model.leave_window(window, "done")
    else:
        view = mark_no_show(engine, window=window, now=NOW)
        expected = model.no_show(window)
    assert (view.number, view.status) == (expected.number, expected.status)


MACROS = {"serve": ("call", "finish"), "miss": ("call", "noshow")}
"""Shorthands the generator uses so that sequences reach busy lines and requeues more often."""

take_op = st.tuples(
    st.just("take"), st.sampled_from(["M", "C"]), st.sampled_from(["normal", "green"])
)
windows = st.sampled_from(sorted(WINDOWS))
requeue_op = st.tuples(st.just("requeue"), st.integers(min_value=0, max_value=7))
operation = st.one_of(
    take_op,
    take_op,
    st.tuples(st.sampled_from(["call", "finish", "noshow", "serve", "miss"]), windows),
    st.tuples(st.sampled_from(["serve", "miss"]), windows),
    requeue_op,
    requeue_op,
)

# Regression (found by this test): a requeue to the back of a short line used to get the key
# max(last key, last_seq) + 0.5, i.e. last_seq + 1 when the last waiting ticket was itself
# requeued: the same key as the next ticket issued. A later requeue into the middle then landed
# on that same key and was ordered by ticket id (issue order) instead of where it was put.
REQUEUE_TIE = [
    *[("take", "M", "normal")] * 5,
    *[("call", 18), ("noshow", 18)] * 3,  # M001, M002, M003 missed once
    ("call", 18),
    ("finish", 18),  # M004 done; M005 waits
    ("requeue", 0),  # M001 behind M005 (key 5.5)
    ("requeue", 2),  # M003 at the back (key 6.0)
    ("take", "M", "normal"),  # M006 also gets key 6.0
    ("requeue", 1),  # M002 behind 3 waiting: M005 M001 M003 | M002 | M006
]


@pytest.fixture(scope="module")
def hall_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The prepared hall with the two clerks logged in at windows 20 and 18 (copied per example).

    Logging in is slow on purpose (scrypt), so it is done once here rather than in every example;
    each example still starts from its own fresh copy.
    """
    path = tmp_path_factory.mktemp("order") / "hall.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with reading(engine) as session:
            rules = hall_settings(session)
        assert (rules.priority_run, rules.requeue_offset, rules.max_misses) == (
            PRIORITY_RUN,
            REQUEUE_OFFSET,
            MAX_MISSES,
        ), "the reference model assumes the default hall's queue rules"
        for window, clerk in CLERK_AT.items():
            staff.login(engine, window=window, clerk=clerk, pin=PIN)
    finally:
        engine.dispose()
    return path


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@example(  # at most two priority calls in a row while a normal ticket waits
    before=[("take", "M", "green")] * 4 + [("take", "M", "normal")] * 2,
    ops=[("serve", 18)] * 3,
)
@example(  # priority calls made while no normal ticket waits do not count towards the run
    before=[("take", "M", "green")] * 2,
    ops=[("serve", 18)] * 2 + [("take", "M", "green"), ("take", "M", "normal"), ("serve", 18)],
)
@example(  # a requeued no-show goes behind three waiting tickets
    before=[("take", "M", "normal")] * 6,
    ops=[("miss", 18), ("requeue", 0), ("serve", 20)],
)
@given(before=st.lists(take_op, max_size=20), ops=st.lists(operation, min_size=1, max_size=50))
def test_queue_order_matches_reference_model(
    hall_template: Path, before: list[tuple], ops: list[tuple]
) -> None:
    _run_on_fresh_db(hall_template, before + ops)


def test_requeue_into_tied_keys_keeps_requeue_order(hall_template: Path) -> None:
    _run_on_fresh_db(hall_template, REQUEUE_TIE)


def test_many_requeues_into_one_gap_keep_their_order(hall_template: Path) -> None:
    # Each requeue halves the gap behind the third waiting ticket; a float key runs out of
    # precision after about 47 halvings, and ties are then broken by issue order.
    missed = 60
    ops: list[tuple] = [("take", "M", "normal")] * (missed + 4) + [("miss", 18)] * missed
    _run_on_fresh_db(hall_template, ops + [("requeue", i) for i in range(missed)])


def _run_on_fresh_db(template: Path, ops: list[tuple]) -> None:
    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None  # no fsync cost on tmpfs
    with tempfile.TemporaryDirectory(prefix="mashangban-prop-", dir=scratch) as tmp:
        path = Path(tmp) / "hall.db"
        shutil.copyfile(template, path)
        engine = make_engine(f"sqlite:///{path}")
        try:
            _run_example(engine, ops)
        finally:
            engine.dispose()


def _run_example(engine, ops: list[tuple]) -> None:
    model = Model()
    for op in ops:
        for step in MACROS.get(op[0], (op[0],)):
            _apply(engine, model, (step, *op[1:]))

    # Every ticket is where the model says, and the waiting set per queue matches.
    assert _db_statuses(engine) == {t.number: t.status for t in model.tickets}

    # Drain what is left at window 20 (M then C): the calls must follow the model's order.
    for window in WINDOWS:
        if model.at_window[window] is not None:
            _apply(engine, model, ("finish", window))
    while True:
        expected = model.call(20)
        if expected is None:
            with pytest.raises(NothingWaiting):
                call_next(engine, window=20, now=NOW)
            break
        got = call_next(engine, window=20, now=NOW).number
        assert got == expected.number, f"drain at window 20: got {got}, model {expected.number}"
        _apply(engine, model, ("finish", 20))
    assert all(not line for line in model.lines.values())

    report = verify_chain(engine)
    assert report.broken_at is None, report.detail
