"""Shared pieces: the moment the hall is open, run sizes, latency statistics, results."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.table import Table

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CST)
"""A Wednesday morning in Jinan: a working day, inside the hall's hours (08:30-12:00)."""


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does (full run or ``--quick``)."""

    takes: int
    take_warmup: int
    calls: int
    call_warmup: int
    drain_tickets: int
    processes: int
    history: int
    history_dates: int
    today_waiting: int
    status_calls: int
    status_warmup: int
    profile_ops: int
    renders: int
    render_warmup: int
    kiosk_starts: int
    kiosk_taps: int
    kiosk_tap_warmup: int
    counter_presses: int
    counter_press_warmup: int
    counter_idle_s: float
    counter_calls: int
    cli_runs: int


FULL = Sizes(
    takes=1000,
    take_warmup=50,
    calls=600,
    call_warmup=30,
    drain_tickets=4000,
    processes=8,
    history=1_000_000,
    history_dates=330,
    today_waiting=300,
    status_calls=200,
    status_warmup=10,
    profile_ops=200,
    renders=400,
    render_warmup=20,
    kiosk_starts=7,
    kiosk_taps=100,
    kiosk_tap_warmup=5,
    counter_presses=100,
    counter_press_warmup=5,
    counter_idle_s=10.0,
    counter_calls=100,
    cli_runs=11,
)
QUICK = Sizes(
    takes=200,
    take_warmup=20,
    calls=100,
    call_warmup=10,
    drain_tickets=800,
    processes=8,
    history=100_000,
    history_dates=330,
    today_waiting=300,
    status_calls=50,
    status_warmup=5,
    profile_ops=50,
    renders=50,
    render_warmup=5,
    kiosk_starts=3,
    kiosk_taps=15,
    kiosk_tap_warmup=2,
    counter_presses=15,
    counter_press_warmup=3,
    counter_idle_s=4.0,
    counter_calls=25,
    cli_runs=5,
)


def percentile(samples: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of some samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Latency:
    """Latency figures in milliseconds."""

    n: int
    p50: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        """Summarise samples given in seconds."""
        ms = [s * 1000 for s in seconds]
        mean = sum(ms) / len(ms) if ms else math.nan
        return cls(len(ms), percentile(ms, 50), percentile(ms, 99), mean, max(ms, default=math.nan))


@dataclass(frozen=True)
class Row:
    """One measured figure, for mashangban and for the floor (the ratio is product ÷ floor)."""

    measure: str
    product: float | None
    floor: float | None
    unit: str
    target: str = ""
    digits: int = 2

    @property
    def ratio(self) -> float | None:
        if self.product is None or self.floor is None or self.floor == 0:
            return None
        return self.product / self.floor


def latency_rows(
    label: str, product: Latency, floor: Latency | None, target: str = ""
) -> list[Row]:
    """p50, p99 and mean rows for one operation."""
    return [
        Row(f"{label} p50", product.p50, floor.p50 if floor else None, "ms"),
        Row(f"{label} p99", product.p99, floor.p99 if floor else None, "ms", target),
        Row(f"{label} mean", product.mean, floor.mean if floor else None, "ms"),
    ]


@dataclass(frozen=True)
class Verdict:
    """A target from the issue, met or not."""

    name: str
    passed: bool
    text: str


@dataclass
class Result:
    """What one benchmark measured."""

    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    extra: list[Table] = field(default_factory=list)
    seconds: float = 0.0
    floor: str = "raw sqlite3"
    """What the floor column measures (its header)."""


def machine_note(workdir: str) -> list[str]:
    """Cores, CPU, Python and SQLite: the figures only mean something next to these."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import sqlalchemy

    return [
        f"cores: {os.cpu_count()} ({usable} usable) · cpu: {cpu}",
        f"python {sys.version.split()[0]} ({platform.python_implementation()}) · "
        f"sqlite {sqlite3.sqlite_version} · sqlalchemy {sqlalchemy.__version__} · "
        f"{platform.system()} {platform.release()}",
        f"databases in {workdir} (deleted at exit) · hall moment {NOW.isoformat()}",
    ]


def call_at_intervals(
    db: str, *, window: int, calls: int, gap: float, out: str, seed: int, jitter: float
) -> None:
    """Call the next ticket at a window ``calls`` times, ``gap`` seconds apart (± ``jitter`` of
    it, so not in step with a reader's polling); write each call's number and when it began and
    returned (monotonic seconds) to ``out`` as JSON, for the benchmark to match with its pages."""
    import json
    import random
    import time

    from models.db import make_engine
    from models.queue.calling import call_next

    engine = make_engine(db)
    rng = random.Random(seed)
    moments = []
    for _ in range(calls):
        time.sleep(gap * rng.uniform(1 - jitter, 1 + jitter))
        began = time.monotonic()
        view = call_next(engine, window=window, finish_current=True, now=NOW)
        moments.append({"number": view.number, "began": began, "returned": time.monotonic()})
    engine.dispose()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(moments, f)
