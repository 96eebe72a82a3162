"""Benchmark 8: the counter (counter/app.py) — key to screen, idle CPU, and "next" under the live
refresh of 30 counters, each against a floor measured in the same run.

1. Key press → updated screen: the counter runs as ``python -m bench.counterproc app counter``
   on Textual's real terminal driver in a 100×30 pseudo-terminal (bench/counterterm.py), at
   window 9 (queue C) of the default hall with hundreds of tickets waiting; the clerk's PIN is
   typed into it, then "n" (finish the current ticket, call the next) again and again. Timed
   from writing "n" to the terminal until the terminal receives the desk's message "Called C012"
   for the new number (the desk draws it with the new current ticket, after the action's
   call_next, window_view and, for items with promised days, the 受理回执). Floor: a minimal
   Textual app in the same kind of terminal whose "n" runs a thread worker that does nothing and
   then shows the same message. Target: p99 < 100 ms.
2. Idle CPU: the same counter after the presses, left alone with its live refresh (last_event_seq
   every 0.5 s, the clock and the service clock every second, ticking from 10:00), user + system
   time from /proc; floor: the minimal app (a clock ticking every second). Target: < 2 % of one
   core.
3. 30 counters polling one SQLite file: 30 processes (bench/counterproc.py poll) do the desk's
   live refresh for windows 1-21 in turn (last_event_seq every 0.5 s, window_view on a change),
   while
   two processes press "next" (call_next with finish_current, under retry_busy as the desk does)
   at the eight windows with a clerk logged in. Floor: the same two callers on a fresh copy of
   the same database with no pollers, this run. Target: call-next p99 < 50 ms.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import select

from bench.common import NOW, QUICK, Latency, Result, Row, Sizes, Verdict, latency_rows
from bench.counterproc import CLERK, POLL_S, SIZE, WINDOW
from bench.counterterm import Terminal
from bench.halldb import PIN, checkpoint, copy_db, url_for
from models import settings
from models.db import make_engine, writing
from models.events import append_event
from models.hall import hall_settings
from models.lookup import get_queue
from models.queue.tickets import issue
from models.tables import ServiceItem

TARGET_KEY_P99_MS = 100.0
TARGET_IDLE_PCT = 2.0
TARGET_CALL_P99_MS = 50.0
POLLERS = 30
CALLERS = ((9, 10, 11, 12), (18, 19, 20, 21))
"""Windows each "next" process presses at in turn (the bench template's clerks)."""
CALL_GAP_S = 0.3
"""Seconds between one caller's presses (0.6-1.4 × this): each poll sees a change."""
WAITING = {"C": 400, "M": 300, "F": 150}
"""Tickets waiting at the start, each queue's items in turn (C: three of four promise days)."""
CHILD = [sys.executable, "-m", "bench.counterproc"]
SETTLE_S = 1.0
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class DeskRun:
    """One app in a terminal: its presses, then its idle stretch."""

    latencies: list[float]
    """Seconds, measured presses."""
    presses: list[tuple[float, float]]
    """(key written, number on screen) of each measured press."""
    numbers: list[str]
    idle_pct: float
    idle_s: float
    rss_mb: float
    timed: dict[str, list[list[float]]]
    """counter only: (start, seconds) of each call_next, window_view and receipt print."""


def _prefill(path: Path) -> None:
    """Waiting tickets of C, M and F for today, each naming its queue's items in turn."""
    engine = make_engine(url_for(path))
    try:
        with writing(engine) as session:
            settings = hall_settings(session)
            for prefix, count in WAITING.items():
                queue = get_queue(session, prefix)
                query = select(ServiceItem).where(ServiceItem.queue_id == queue.id)
                items = sorted(i.code for i in session.exec(query))
                for n in range(count):
                    ticket = issue(
                        session, settings=settings, queue=queue, moment=NOW,
                        item_code=items[n % len(items)] if items else None,
                        priority="normal", cap=False,
                    )  # fmt: skip
                    append_event(
                        session, kind="issued", ticket_id=ticket.id, at=NOW,
                        data={"number": ticket.number, "priority": "normal", "source": "bench"},
                    )  # fmt: skip
    finally:
        engine.dispose()
    checkpoint(path)


class Children:
    """The environment and files of the benchmark's subprocesses."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0
        (directory / "tmp").mkdir()
        self.env = dict(os.environ)
        self.env.pop(settings.DB.name, None)
        self.env[settings.PREVIEW_DIR.name] = str(directory / "preview")
        self.env["TMPDIR"] = str(directory / "tmp")  # python-escpos's temp dirs

    def file(self, stem: str) -> Path:
        self.count += 1
        return self.directory / f"{stem}-{self.count}.json"


def _desk(children: Children, role: str, db: Path, sizes: Sizes) -> DeskRun:
    """Start the counter (or the floor) in a terminal, log in, press "n", then leave it idle."""
    out = children.file(role)
    term = Terminal([*CHILD, "app", role, url_for(db), str(out)], SIZE, children.env)
    term.start()
    try:
        if role == "counter":
            term.wait(lambda: term.shows("PIN"), "login screen", START_TIMEOUT_S)
            time.sleep(0.2)
            term.send(PIN + "\r")
        term.wait(lambda: term.shows("press n to call the next"), "desk", START_TIMEOUT_S)
        time.sleep(SETTLE_S)
        rng = random.Random(8)
        latencies, presses = [], []
        numbers: list[str] = []
        for i in range(sizes.counter_press_warmup + sizes.counter_presses):
            if i and role == "counter":
                # The called citizen came (s, not timed): n then finishes without asking
                # whether they came, and calls the next in one transaction.
                term.send("s")
                term.wait(partial(term.shows, f"{numbers[-1]} 开始办理 service started"),
                          "the start", START_TIMEOUT_S)  # fmt: skip
            pressed, number = term.press("n", f"the number after press {i + 1}")
            numbers.append(number)
            if i >= sizes.counter_press_warmup:
                latencies.append(term.seen[number] - pressed)
                presses.append((pressed, term.seen[number]))
            time.sleep(rng.uniform(0.05, 0.15))  # the clerk's next press; polls go on
        time.sleep(SETTLE_S)
        cpu0, t0 = term.cpu_seconds(), time.monotonic()
        time.sleep(sizes.counter_idle_s)
        cpu1, t1 = term.cpu_seconds(), time.monotonic()
        rss = term.rss_mb()
    finally:
        code = term.stop()
    if code != 0:
        raise RuntimeError(f"the {role} exited {code}:\n{term.text[-3000:]}")
    timed: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return DeskRun(latencies, presses, numbers, 100 * (cpu1 - cpu0) / (t1 - t0), t1 - t0, rss,
                   timed)  # fmt: skip


def _within(calls: list[list[float]], presses: list[tuple[float, float]]) -> list[float]:
    """Per press, seconds spent in the calls that began inside it."""
    return [sum(s for began, s, *_ in calls if start <= began <= end) for start, end in presses]


def _mean_ms(seconds: list[float]) -> float:
    return Latency.of(seconds).mean


def _breakdown(desk: DeskRun) -> tuple[list[Row], list[str]]:
    """Where a press's time goes: the database calls inside it, garbage collection, the rest."""
    presses = desk.presses
    calls = _within(desk.timed["call_next"], presses)
    views = _within(desk.timed["window_view"], presses)
    receipts = _within(desk.timed["receipt"], presses)
    full = [g for g in desk.timed["gc"] if g[2] == 2]
    collected = _within(desk.timed["gc"], presses)
    with_full = [lat for lat, f in zip(desk.latencies, _within(full, presses), strict=True) if f]
    # The receipt prints after the new number is sent to the screen (the desk stays busy until
    # it is printed), so it is not part of a press's latency; it may overlap the drawing.
    parts = zip(desk.latencies, calls, views, strict=True)
    rest = [lat - c - v for lat, c, v in parts]
    printed = [lat for lat, r in zip(desk.latencies, receipts, strict=True) if r > 0]
    plain = [lat for lat, r in zip(desk.latencies, receipts, strict=True) if r == 0]
    rows = [
        Row("  of it in call_next (worker), mean", _mean_ms(calls), None, "ms"),
        Row("  of it in window_view (worker), mean", _mean_ms(views), None, "ms"),
        Row("  printing the 受理回执 after the number is drawn, mean",
            _mean_ms([r for r in receipts if r]), None, "ms"),
        Row("  the rest (key → worker, GIL, screen), mean", _mean_ms(rest), None, "ms"),
        Row("  of it in garbage collection, mean", _mean_ms(collected), None, "ms"),
        Row("key → screen p99, presses printing a receipt", Latency.of(printed).p99, None, "ms"),
        Row("key → screen p99, presses printing none", Latency.of(plain).p99, None, "ms"),
        Row("presses with a full (gen 2) collection inside", len(with_full), None, "presses",
            digits=0),
        Row("  their key → screen, mean", _mean_ms(with_full), None, "ms"),
    ]  # fmt: skip
    note = (
        f"{len(printed)} of {len(presses)} presses finished a ticket whose item promises working "
        "days: the desk opened its case, drew the next number, then printed the 受理回执 "
        f"(preview printer) in its own worker, the keys not waiting; {len(full)} full "
        "collections in the "
        "counter's whole run "
        f'(mean {_mean_ms([g[1] for g in full]):.0f} ms each); the "of it" rows are timed in '
        "the counter process by wrappers around the desk's call_next, window_view and "
        "_print_receipt (counter/flows.py, deskcore.py, printing.py), and gc.callbacks"
    )
    return rows, [note]


@dataclass(frozen=True)
class CallRun:
    """The "next" processes of one phase, and the pollers if any."""

    latencies: list[float]
    numbers: list[str]
    seconds: float
    polls: list[dict[str, Any]]


def _callers(children: Children, db: Path, sizes: Sizes) -> tuple[list[dict[str, Any]], float]:
    outs = [children.file("call") for _ in CALLERS]
    warmup = 2 * len(CALLERS[0])
    began = time.monotonic()
    gap, calls = str(CALL_GAP_S), str(sizes.counter_calls)
    procs = []
    for n, (windows, out) in enumerate(zip(CALLERS, outs, strict=True)):
        spots = ",".join(map(str, windows))
        argv = [*CHILD, "call", url_for(db), spots, str(warmup), calls, gap, str(n), str(out)]
        procs.append(subprocess.Popen(argv, env=children.env))
    for proc in procs:
        if proc.wait(timeout=600) != 0:
            raise RuntimeError(f"a caller exited {proc.returncode}")
    seconds = time.monotonic() - began
    moments = [m for out in outs for m in json.loads(out.read_text(encoding="utf-8"))]
    return moments, seconds


def _calls(children: Children, db: Path, sizes: Sizes, pollers: int) -> CallRun:
    stop = children.directory / f"stop-{pollers}"
    procs: list[tuple[subprocess.Popen[bytes], Path]] = []
    readies = []
    try:
        for n in range(pollers):
            ready, out = children.directory / f"ready-{n}", children.file("poll")
            readies.append(ready)
            procs.append((subprocess.Popen(
                [*CHILD, "poll", url_for(db), str(n % 21 + 1), str(stop), str(ready), str(out)],
                env=children.env), out))  # fmt: skip
        deadline = time.monotonic() + 180
        while not all(r.exists() for r in readies):
            if time.monotonic() > deadline or any(p.poll() is not None for p, _ in procs):
                raise RuntimeError("the pollers did not all start")
            time.sleep(0.1)
        time.sleep(1.0)
        moments, seconds = _callers(children, db, sizes)
    finally:
        stop.touch()
        for proc, _ in procs:
            proc.wait(timeout=60)
    polls = [json.loads(out.read_text(encoding="utf-8")) for _, out in procs]
    measured = [m for m in moments if m["measured"]]
    return CallRun([m["seconds"] for m in measured], [m["number"] for m in moments], seconds,
                   polls)  # fmt: skip


def _poll_rows(run: CallRun) -> tuple[list[Row], str]:
    marks = [s for p in run.polls for s in p["marks"]]
    reads = [s for p in run.polls for s in p["reads"]]
    wall = max(p["wall"] for p in run.polls)
    cpu = sum(p["cpu"] for p in run.polls)
    lm, lr = Latency.of(marks), Latency.of(reads)
    rows = [
        Row("  pollers: last_event_seq p99", lm.p99, None, "ms"),
        Row("  pollers: window_view p50", lr.p50, None, "ms"),
        Row("  pollers: window_view p99", lr.p99, None, "ms"),
        Row("  pollers: last_event_seq reads per second", len(marks) / wall, None, "/s", digits=0),
        Row("  pollers: window_view reads per second", len(reads) / wall, None, "/s", digits=0),
        Row("  pollers: CPU, all 30 together", 100 * cpu / wall, None, "% of a core", digits=1),
    ]
    errors = sum(p["errors"] for p in run.polls)
    note = (
        f"pollers ran {wall:.0f} s each; {len(reads)} window_view reads of {len(marks)} polls "
        f"({100 * len(reads) / max(len(marks), 1):.0f} %: a call every ~{CALL_GAP_S / 2:.2f} s "
        f"moves the mark before almost every poll — a far busier hall than a real one); "
        f"poll errors: {errors}"
    )
    return rows, note


def run(sizes: Sizes, workdir: Path, template: Path) -> Result:
    """Key to screen and idle CPU of the counter and its floor; call-next with and without 30
    pollers."""
    directory = workdir / "counter"
    directory.mkdir()
    children = Children(directory)
    waiting = copy_db(template, directory, "counter_waiting.db")
    _prefill(waiting)

    load0 = os.getloadavg()[0]
    desk = _desk(children, "counter", copy_db(waiting, directory, "counter_desk.db"), sizes)
    floor = _desk(children, "floor", copy_db(waiting, directory, "counter_floor.db"), sizes)
    alone = _calls(children, copy_db(waiting, directory, "calls_alone.db"), sizes, 0)
    polled = _calls(children, copy_db(waiting, directory, "calls_polled.db"), sizes, POLLERS)
    load1 = os.getloadavg()[0]

    kd, kf = Latency.of(desk.latencies), Latency.of(floor.latencies)
    cp, ca = Latency.of(polled.latencies), Latency.of(alone.latencies)
    breakdown, notes = _breakdown(desk)
    poll_rows, poll_note = _poll_rows(polled)
    rows = [
        *latency_rows("key n → new number on screen", kd, kf, f"< {TARGET_KEY_P99_MS:g} ms"),
        Row("key n → new number on screen max", kd.max, kf.max, "ms"),
        *breakdown,
        Row("idle CPU (live refresh, clocks ticking)", desk.idle_pct, floor.idle_pct,
            "% of a core", f"< {TARGET_IDLE_PCT:g} %"),
        Row("resident memory after the run", desk.rss_mb, floor.rss_mb, "MB", digits=0),
        *latency_rows(f"next with {POLLERS} pollers (floor: none)", cp, ca,
                      f"< {TARGET_CALL_P99_MS:g} ms"),
        Row(f"next with {POLLERS} pollers max", cp.max, ca.max, "ms"),
        *poll_rows,
    ]  # fmt: skip
    problems = []
    if len(set(desk.numbers)) != len(desk.numbers):
        problems.append("the desk showed a number twice")
    for name, phase in (("alone", alone), ("polled", polled)):
        if len(set(phase.numbers)) != len(phase.numbers):
            problems.append(f"two calls got the same ticket ({name})")
    notes = [
        f"window {WINDOW} (clerk {CLERK}, queue C) with {sum(WAITING.values())} tickets waiting "
        f"(C {WAITING['C']}); {sizes.counter_presses} presses of n after "
        f"{sizes.counter_press_warmup} warm-up, 50-150 ms apart; {SIZE[0]}×{SIZE[1]} pseudo-"
        "terminal, real driver; from writing n to the terminal to the terminal receiving "
        '"Called <number>" for the new number; the counter polls every '
        f"{POLL_S:g} s throughout (its default); its clock runs from {NOW:%H:%M}",
        *notes,
        "floor (key, idle): a minimal Textual app in the same terminal — a clock Static ticking "
        "every second, and n runs a thread worker that does nothing, then shows the same "
        "message: the same key → thread → screen path without the database or the desk's panels",
        f"idle: {desk.idle_s:.1f} s after the presses, a ticket at the window (its service clock "
        "ticking), no change elsewhere; CPU = utime + stime from /proc (10 ms ticks)",
        f"next: {len(CALLERS)} processes pressing next at windows "
        f"{', '.join('/'.join(map(str, w)) for w in CALLERS)} in turn, {sizes.counter_calls} "
        f"measured calls each after {2 * len(CALLERS[0])} warm-up, {CALL_GAP_S:g} s apart "
        f"(×0.6-1.4) each; {POLLERS} pollers on windows 1-21 in turn; floor = the same callers, "
        f"fresh copy, no pollers ({alone.seconds:.0f} s vs {polled.seconds:.0f} s)",
        poll_note,
        f"1-min load average {load0:.2f} before, {load1:.2f} after, on {os.cpu_count()} cores",
        "self-check: " + ("; ".join(problems) if problems else "every number shown and called "
                          "once (desk, floor phase and polled phase)"),
    ]  # fmt: skip
    verdicts = [
        Verdict("counter key", kd.p99 < TARGET_KEY_P99_MS and not problems,
                f"key n → new number on screen p99 {kd.p99:.1f} ms (target < "
                f"{TARGET_KEY_P99_MS:g} ms; p50 {kd.p50:.1f}, max {kd.max:.1f}); floor p99 "
                f"{kf.p99:.1f} ms"),
        Verdict("counter idle CPU", desk.idle_pct < TARGET_IDLE_PCT,
                f"idle counter with its live refresh {desk.idle_pct:.2f} % of one core (target < "
                f"{TARGET_IDLE_PCT:g} %); floor {floor.idle_pct:.2f} %"),
        Verdict("counter next under polling", cp.p99 < TARGET_CALL_P99_MS and not problems,
                f"call-next with {POLLERS} pollers p99 {cp.p99:.1f} ms (target < "
                f"{TARGET_CALL_P99_MS:g} ms; p50 {cp.p50:.1f}, max {cp.max:.1f}); without "
                f"pollers p99 {ca.p99:.1f} ms"),
    ]  # fmt: skip
    title = "8 · counter: key to screen, idle CPU, next under 30 pollers"
    if sizes == QUICK:
        title += " (quick)"
    return Result("counter", title, rows, notes, verdicts, floor="minimal Textual app / no pollers")
