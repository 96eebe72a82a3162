"""A hall's real mix of work in child processes: kiosks taking (some green channel), counters
pressing "next" (finish and call) with transfers and no-show requeues, a window pausing.

Used by tests/system/test_lock_order.py and bench/mixed.py (started with the "spawn" context). Each
child makes its own engine from the database URL, as a terminal on another host would, counts
every refusal by its catalogue key instead of dying of it, and reports in a JSON file.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from models.clerks.staff import pause, resume
from models.db import make_engine
from models.errors import MashangbanError, NothingWaiting
from models.queue.calling import call_next
from models.queue.serving import mark_no_show, requeue, transfer
from models.queue.tickets import take_ticket
from models.tables import Priority
from tests.support.workers import warm_up, write_result

START_TIMEOUT_S = 300.0
"""How long a child waits for its siblings at the start line (spawning is slow on 2 cores)."""
IDLE_POLL_S = 0.02
"""A counter with nothing waiting while kiosks still issue looks again after this long."""


@dataclass(frozen=True)
class CounterMix:
    """What a counter does besides "next": every n-th call is transferred or missed."""

    window: int
    transfer_every: int = 0
    transfer_to: str = ""
    requeue_every: int = 0


def kiosk(
    url: str,
    queues: list[str],
    count: int,
    green_share: float,
    seed: int,
    now: dt.datetime,
    start: Any,
    out: str,
) -> None:
    """Take ``count`` tickets in random queues, ``green_share`` of them green channel."""
    rng = random.Random(seed)
    engine = make_engine(url)
    numbers: list[str] = []
    errors: Counter[str] = Counter()
    seconds: list[float] = []
    try:
        warm_up(engine)
        start.wait(START_TIMEOUT_S)
        for _ in range(count):
            green = rng.random() < green_share
            began = time.perf_counter()
            try:
                view = take_ticket(
                    engine,
                    queue=rng.choice(queues),
                    priority=Priority.GREEN if green else Priority.NORMAL,
                    now=now,
                    source="mixload",
                )
            except MashangbanError as exc:
                errors[exc.key] += 1
                continue
            seconds.append(time.perf_counter() - began)
            numbers.append(view.number)
    finally:
        engine.dispose()
    write_result(out, {"numbers": numbers, "errors": errors, "seconds": seconds})


def counter(
    url: str, mix: CounterMix, now: dt.datetime, start: Any, kiosks_done: Any, out: str
) -> None:
    """Press "next" (finish and call) until the kiosks are done and nothing waits.

    Every ``transfer_every``-th ticket called is transferred to ``transfer_to``; every
    ``requeue_every``-th is marked a no-show and put back in line (unless it became void).
    """
    engine = make_engine(url)
    errors: Counter[str] = Counter()
    seconds: list[float] = []
    called: list[str] = []
    transfers = requeues = 0
    began = ended = 0.0
    try:
        warm_up(engine)
        start.wait(START_TIMEOUT_S)
        began = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            try:
                view = call_next(engine, window=mix.window, finish_current=True, now=now)
            except NothingWaiting:
                if kiosks_done.is_set():
                    break
                time.sleep(IDLE_POLL_S)
                continue
            except MashangbanError as exc:
                errors[exc.key] += 1
                continue
            seconds.append(time.perf_counter() - t0)
            called.append(view.number)
            n = len(called)
            try:
                if mix.transfer_every and n % mix.transfer_every == 0:
                    transfer(engine, window=mix.window, to_queue=mix.transfer_to, now=now)
                    transfers += 1
                elif mix.requeue_every and n % mix.requeue_every == 0:
                    missed = mark_no_show(engine, window=mix.window, now=now)
                    if missed.status == "missed":
                        requeue(engine, number=missed.number, now=now)
                        requeues += 1
            except MashangbanError as exc:
                errors[exc.key] += 1
        ended = time.perf_counter()
    finally:
        engine.dispose()
    write_result(
        out,
        {
            "window": mix.window,
            "called": called,
            "errors": errors,
            "seconds": seconds,
            "transfers": transfers,
            "requeues": requeues,
            "began": began,
            "ended": ended,
        },
    )


def pauser(url: str, window: int, now: dt.datetime, start: Any, kiosks_done: Any, out: str) -> None:
    """A clerk pausing and resuming a window until the kiosks are done (window rows, events)."""
    engine = make_engine(url)
    errors: Counter[str] = Counter()
    rounds = 0
    try:
        warm_up(engine)
        start.wait(START_TIMEOUT_S)
        paused = False
        while not kiosks_done.is_set():
            try:
                if paused:
                    resume(engine, window=window, now=now)
                    rounds += 1
                else:
                    pause(engine, window=window, reason="break", now=now)
                paused = not paused
            except MashangbanError as exc:
                errors[exc.key] += 1
                if exc.key in ("window_paused", "window_not_paused"):
                    paused = exc.key == "window_paused"  # a failed step did commit after all
            time.sleep(IDLE_POLL_S)
    finally:
        engine.dispose()
    write_result(out, {"rounds": rounds, "errors": errors})
