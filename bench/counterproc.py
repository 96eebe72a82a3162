"""The counter benchmark's subprocesses: ``python -m bench.counterproc ROLE ...``.

``app counter DB OUT`` runs the product's counter (counter/app.py) at window 9 on Textual's real
terminal driver, in the pseudo-terminal the parent gives it; the clerk's PIN and keys come from
the parent through the terminal. The database calls of the desk (call_next, window_view, the
receipt) are timed by thin wrappers put in the desk modules' namespaces (the same functions, called
the same way), and written as JSON to OUT when the app quits (ctrl+q). ``app floor DB OUT`` runs
the floor: a minimal Textual app with the same clock and message line, whose "n" runs a thread
worker that does nothing and then shows "Called C001" and so on.

``poll DB WINDOW STOP READY OUT`` does what a counter's live refresh does for one window: read
last_event_seq every 0.5 s and window_view when it moved (or the minute changed), until the STOP
file exists. ``call DB WINDOWS WARMUP CALLS GAP SEED OUT`` presses "next" at the windows in
turn (call_next with finish_current, under retry_busy like the desk), GAP seconds apart or so.

Moments are ``time.monotonic()``: CLOCK_MONOTONIC, one clock for every process on Linux.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import random
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from bench.common import NOW

WINDOW = 9
"""The benchmarked counter's window: it serves C (livelihood affairs, items with receipts)."""
CLERK = "2009"
"""The clerk the bench template logs in at window 9 (bench/halldb.py); PIN halldb.PIN."""
POLL_S = 0.5
"""CounterSettings.poll_seconds: the counter's default."""
SIZE = (100, 30)
"""A clerk's terminal (tests/support/counter_pilot.py's size)."""
_STARTED = time.monotonic()


def running_clock() -> dt.datetime:
    """The benchmark's morning (10:00 on a working day), ticking from the process's start."""
    return NOW + dt.timedelta(seconds=time.monotonic() - _STARTED)


def cpu_seconds() -> float:
    """User + system CPU time of this process, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timed:
    """Wraps a function; records (start, seconds) of each call."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.calls: list[tuple[float, float]] = []
        self.lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            return self.func(*args, **kwargs)
        finally:
            with self.lock:
                self.calls.append((start, time.monotonic() - start))


class Collections:
    """Garbage collections as they happen (gc.callbacks): (start, seconds, generation)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float, int]] = []
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.monotonic()
        else:
            self.pauses.append((self._began, time.monotonic() - self._began, info["generation"]))


def counter(db: str, out: str) -> None:
    import counter.desk as desk
    import counter.deskcore as deskcore
    import counter.flows as flows
    import counter.printing as printing
    from counter.app import CounterSettings, create_app
    from models.db import make_engine

    # Each wrapper stands in every desk module that calls the function (the desk's parts).
    timed = {
        "call_next": Timed(flows.call_next),
        "window_view": Timed(deskcore.window_view),
        "receipt": Timed(printing._print_receipt),
    }
    for module in (desk, deskcore, flows):
        module.window_view = timed["window_view"]  # type: ignore[attr-defined]
    flows.call_next = timed["call_next"]
    printing._print_receipt = timed["receipt"]
    engine = make_engine(db)
    settings = CounterSettings(
        engine=engine,
        window=WINDOW,
        clerk=CLERK,
        clock=running_clock,
        poll_seconds=POLL_S,
        rating_wait_seconds=0,  # no rating pad: n finishes and calls at once
    )
    collections = Collections()
    gc.callbacks.append(collections)
    create_app(settings).run()
    gc.callbacks.remove(collections)
    engine.dispose()
    result: dict[str, Any] = {name: wrapper.calls for name, wrapper in timed.items()}
    result["gc"] = collections.pauses
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f)


def floor(out: str) -> None:
    from textual import work
    from textual.app import App, ComposeResult
    from textual.binding import Binding, BindingType
    from textual.widgets import Static

    class Floor(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "next", "next")]

        def compose(self) -> ComposeResult:
            yield Static(id="top")
            yield Static("none — press n to call the next", id="current")
            yield Static(id="message")

        def on_mount(self) -> None:
            self.called = 0
            self.set_interval(1.0, self.tick)
            self.tick()

        def tick(self) -> None:
            self.query_one("#top", Static).update(f"{running_clock():%H:%M:%S}")

        def action_next(self) -> None:
            self.worker()

        @work(thread=True)
        def worker(self) -> None:
            self.called += 1
            number = f"C{self.called:03d}"
            self.call_from_thread(self.shown, number)

        def shown(self, number: str) -> None:
            self.query_one("#message", Static).update(f"已呼叫 {number} Called {number}")

    Floor().run()
    with open(out, "w", encoding="utf-8") as f:
        json.dump({}, f)


def poll(db: str, window: int, stop: str, ready: str, out: str) -> None:
    from models.db import make_engine
    from models.errors import MashangbanError
    from models.events import last_event_seq
    from models.views.window import window_view

    engine = make_engine(db)
    view = window_view(engine, window=window, now=running_clock())
    Path(ready).touch()
    marks: list[float] = []
    reads: list[float] = []
    errors = 0
    time.sleep(random.Random(window).uniform(0, POLL_S))  # counters are not in step
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    minute = running_clock().minute
    due = time.monotonic()
    while not os.path.exists(stop):
        due += POLL_S
        time.sleep(max(0.0, due - time.monotonic()))
        start = time.monotonic()
        try:
            mark = last_event_seq(engine)
            marks.append(time.monotonic() - start)
            now = running_clock()
            if mark != view.mark or now.minute != minute:
                minute = now.minute
                start = time.monotonic()
                view = window_view(engine, window=window, now=now)
                reads.append(time.monotonic() - start)
        except MashangbanError:
            errors += 1
    result = {
        "marks": marks,
        "reads": reads,
        "errors": errors,
        "cpu": cpu_seconds() - cpu0,
        "wall": time.monotonic() - wall0,
    }
    engine.dispose()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f)


def call(db: str, windows: list[int], warmup: int, calls: int, gap: float, seed: int,
         out: str) -> None:  # fmt: skip
    from models.db import make_engine, retry_busy
    from models.queue.calling import call_next

    engine = make_engine(db)
    rng = random.Random(seed)
    moments = []
    for i in range(warmup + calls):
        window = windows[i % len(windows)]
        time.sleep(gap * rng.uniform(0.6, 1.4))  # not in step with the pollers
        began = time.monotonic()
        view = retry_busy(
            lambda w=window: call_next(engine, window=w, finish_current=True, now=running_clock()),
            attempts=5,
        )
        took = time.monotonic() - began
        moments.append(
            {"number": view.number, "window": window, "began": began, "seconds": took,
             "measured": i >= warmup}
        )  # fmt: skip
    engine.dispose()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(moments, f)


def main(argv: list[str]) -> None:
    role, *rest = argv
    if role == "app":
        what, db, out = rest
        if what == "counter":
            counter(db, out)
        else:
            floor(out)
    elif role == "poll":
        db, window, stop, ready, out = rest
        poll(db, int(window), stop, ready, out)
    else:
        db, windows, warmup, calls, gap, seed, out = rest
        call(db, [int(w) for w in windows.split(",")], int(warmup), int(calls), float(gap),
             int(seed), out)  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
