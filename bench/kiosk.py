"""Benchmark 6: the kiosk app (kiosk/app.py), headless, against a minimal Textual app.

1. Cold start to the first screen: a fresh ``python -c`` process imports the kiosk, builds it
   (create_app with a fixed clock, the database by URL and a snapshot file, as ``python -m
   kiosk`` does) and runs it headless (``run_test(size=(120, 40))``) until the start screen is
   drawn with its zone buttons; wall time from just before the spawn, median of the runs. The
   kiosk draws that screen from the snapshot its previous run left (the warm-up's, as a kiosk's
   restart finds yesterday's), its buttons disabled and saying 请稍候 until the database has
   answered; that later moment, the zones usable with their counts, is reported beside it
   (not the target). Floor: a Textual app with one Static, run and timed the same way (the same
   kind of process, this run, interleaved one by one). Target: ≤ 1.5 × the floor.
2. Tap to number: in one process, a finger on #zone-M (MouseDown, 50 ms, MouseUp: the Click the
   button acts on) until a TicketScreen with the number is drawn; then Done and again. Floor: a
   Textual app whose button pushes a screen with the number in a Static (no database). Target:
   p99 < 100 ms.
3. Resident memory (VmRSS) of the kiosk at its first screen and after the taps. Floor: the
   minimal apps' RSS. Target: < 120 MB.

The database is made as tests/conftest.py makes one (models.schema.upgrade, store_hall of the
default hall), with queue caps lifted (the taps would otherwise meet M's daily cap of 400 on
long runs); printing goes to the hall's preview printer in a temp MASHANGBAN_PREVIEW_DIR. See
bench/kioskproc.py for what the subprocesses do and what counts as "on screen", and
bench/kioskprofile.py for the profile that follows a missed target.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from bench.common import NOW, Latency, Result, Row, Sizes, Verdict, latency_rows
from bench.halldb import checkpoint, copy_db, lift_caps, url_for
from bench.kioskproc import CHILD_CODE, SIZE, TOUCH_S, Job
from models import settings
from models.db import make_engine
from models.hall import default_hall_path, read_hall_file, store_hall
from models.schema import upgrade

TARGET_START_RATIO = 1.5
TARGET_TAP_P99_MS = 100.0
TARGET_RSS_MB = 120.0
REFRESH_S = 2.0
"""KioskSettings.refresh_seconds: the kiosk's own default (zone counts every 2 s)."""
ROOT = Path(__file__).resolve().parent.parent
"""The project: the subprocesses' working directory, where ``bench`` is importable."""


class ChildFailed(RuntimeError):
    """A benchmark subprocess exited with an error."""


@dataclass(frozen=True)
class Start:
    """One cold start, in ms (the phases add up to the total) and MB."""

    total: float
    python: float
    imports: float
    build: float
    run: float
    rss: float
    ready: float
    """Spawn to the zone buttons usable (enabled, with counts); the floor: = total."""


@dataclass(frozen=True)
class TapRun:
    """One process of taps."""

    latencies: list[float]
    """Seconds, the measured taps only."""
    collected: list[list[float]]
    """Per measured tap: seconds in garbage collection inside it, all and gen 2 alone."""
    numbers: list[str]
    rss_start: float
    rss_end: float
    peak: float
    heap_start: dict[str, float]
    heap_end: dict[str, float]

    @property
    def latency(self) -> Latency:
        return Latency.of(self.latencies)

    @property
    def gc_mean_ms(self) -> float:
        return statistics.fmean(total for total, _ in self.collected) * 1000

    @property
    def full_collections(self) -> int:
        return sum(1 for _, full in self.collected if full > 0)


def build_hall(directory: Path) -> Path:
    """A database as tests/conftest.py prepares one (no clerks: the kiosk needs none)."""
    path = directory / "kiosk_template.db"
    engine = make_engine(url_for(path))
    try:
        upgrade(engine)
        config, text = read_hall_file(default_hall_path())
        store_hall(engine, config, text)
    finally:
        engine.dispose()
    lift_caps(path)
    checkpoint(path)
    return path


def _mb(kb: int) -> float:
    return kb / 1024


class Children:
    """Spawns the benchmark's subprocesses with one environment."""

    def __init__(self, directory: Path, zones: int) -> None:
        self.directory = directory
        self.zones = zones
        self.count = 0
        tmp = directory / "tmp"
        tmp.mkdir()
        self.env = dict(os.environ)
        self.env.pop(settings.DB.name, None)
        self.env[settings.PREVIEW_DIR.name] = str(directory / "preview")
        # python-escpos makes a temp dir per import (its capabilities cache): keep them here.
        self.env["TMPDIR"] = str(tmp)

    def job(self, role: str, app: str, db: Path, taps: int = 0, warmup: int = 0) -> Job:
        self.count += 1
        return Job(
            role=role,
            app=app,
            db=url_for(db),
            now=NOW.isoformat(),
            zones=self.zones,
            taps=taps,
            warmup=warmup,
            refresh=REFRESH_S,
            out=str(self.directory / f"result-{self.count}.json"),
            pstats="",
            snapshot=str(self.directory / "kiosk-snapshot.json"),
        )

    def run(self, job: Job, flags: tuple[str, ...] = ()) -> tuple[float, dict[str, Any], str]:
        """Spawn, wait; the spawn moment (time.monotonic), the child's result, its stderr."""
        command = [sys.executable, *flags, "-c", CHILD_CODE, json.dumps(job)]
        spawned = time.monotonic()
        done = subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=900
        )
        if done.returncode != 0:
            raise ChildFailed(
                f"{job['role']} {job['app']} exited {done.returncode}:\n{done.stderr[-3000:]}"
            )
        result: dict[str, Any] = json.loads(Path(job["out"]).read_text(encoding="utf-8"))
        return spawned, result, done.stderr

    def start(self, app: str, db: Path) -> Start:
        spawned, r, _ = self.run(self.job("start", app, db))
        ms = 1000.0
        return Start(
            total=(r["screen"] - spawned) * ms,
            python=(r["first_line"] - spawned) * ms,
            imports=(r["imported"] - r["first_line"]) * ms,
            build=(r["built"] - r["imported"]) * ms,
            run=(r["screen"] - r["built"]) * ms,
            rss=_mb(r["memory"]["VmRSS"]),
            ready=(r["ready"] - spawned) * ms,
        )

    def taps(self, app: str, db: Path, taps: int, warmup: int) -> TapRun:
        _, r, _ = self.run(self.job("taps", app, db, taps, warmup))
        return TapRun(
            latencies=r["latencies"],
            collected=r["collected"],
            numbers=r["numbers"],
            rss_start=_mb(r["memory_start"]["VmRSS"]),
            rss_end=_mb(r["memory_end"]["VmRSS"]),
            peak=_mb(r["memory_end"]["VmHWM"]),
            heap_start=r["heap_start"],
            heap_end=r["heap_end"],
        )

    def importtime(self, db: Path) -> str:
        """One kiosk cold start under ``python -X importtime``: its stderr."""
        return self.run(self.job("start", "kiosk", db), ("-X", "importtime"))[2]

    def profiled(self, job: Job) -> Path:
        """Run a job under cProfile; the stats file."""
        path = self.directory / f"profile-{self.count}.pstats"
        profiled = job.copy()
        profiled["pstats"] = str(path)
        self.run(profiled)
        return path


def _median(starts: list[Start], field: Callable[[Start], float]) -> float:
    return statistics.median(field(s) for s in starts)


def _issued(path: Path) -> tuple[list[str], dict[str, int]]:
    """Ticket numbers in the kiosk's database, and its print jobs by state."""
    con = sqlite3.connect(path)
    try:
        numbers = [n for (n,) in con.execute("SELECT number FROM ticket ORDER BY id")]
        jobs = dict(con.execute("SELECT state, count(*) FROM print_job GROUP BY state").fetchall())
        return numbers, jobs
    finally:
        con.close()


def _start_rows(kiosk: list[Start], floor: list[Start]) -> list[Row]:
    limit = TARGET_START_RATIO * _median(floor, lambda s: s.total)
    phases: list[tuple[str, Callable[[Start], float]]] = [
        ("  spawn → first line", lambda s: s.python),
        ("  imports", lambda s: s.imports),
        ("  create_app", lambda s: s.build),
        ("  run → screen drawn", lambda s: s.run),
    ]
    rows = [
        Row("cold start → first screen", _median(kiosk, lambda s: s.total),
            _median(floor, lambda s: s.total), "ms",
            f"≤ {TARGET_START_RATIO:g}× floor = {limit:,.0f} ms", digits=0),
        Row("cold start → zones usable", _median(kiosk, lambda s: s.ready),
            _median(floor, lambda s: s.ready), "ms", "(not the target)", digits=0),
        Row("cold start, fastest", min(s.total for s in kiosk), min(s.total for s in floor),
            "ms", digits=0),
        Row("cold start, slowest", max(s.total for s in kiosk), max(s.total for s in floor),
            "ms", digits=0),
    ]  # fmt: skip
    rows += [
        Row(label, _median(kiosk, f), _median(floor, f), "ms", "(median)", digits=1)
        for label, f in phases
    ]
    return rows


def _tap_rows(k: TapRun, f: TapRun) -> list[Row]:
    lk, lf = k.latency, f.latency
    rows = latency_rows("tap → number", lk, lf, f"< {TARGET_TAP_P99_MS:g} ms")
    return [
        *rows,
        Row("tap → number max", lk.max, lf.max, "ms"),
        Row("  of it in GC, mean", k.gc_mean_ms, f.gc_mean_ms, "ms"),
        Row("  taps with a full GC inside", k.full_collections, f.full_collections, "taps",
            digits=0),
    ]  # fmt: skip


def _memory_rows(kiosk: list[Start], floor: list[Start], k: TapRun, f: TapRun) -> list[Row]:
    target = f"< {TARGET_RSS_MB:g} MB"
    n = len(k.numbers)
    return [
        Row("RSS at first screen", _median(kiosk, lambda s: s.rss),
            _median(floor, lambda s: s.rss), "MB", target, digits=1),
        Row("RSS before the taps", k.rss_start, f.rss_start, "MB", digits=1),
        Row(f"RSS after {n} taps", k.rss_end, f.rss_end, "MB", target, digits=1),
        Row(f"RSS growth in {n} taps", k.rss_end - k.rss_start, f.rss_end - f.rss_start,
            "MB", digits=1),
        Row("peak RSS (VmHWM)", k.peak, f.peak, "MB", digits=1),
    ]  # fmt: skip


def _self_check(run: TapRun, issued: list[str], expected: int) -> list[str]:
    problems = []
    if len(set(run.numbers)) != expected:
        problems.append(f"{len(set(run.numbers))} different numbers shown for {expected} taps")
    if issued != run.numbers:
        problems.append(f"the database issued {issued[:3]}…, the screens showed "
                        f"{run.numbers[:3]}…")  # fmt: skip
    if not all(n.startswith("M") for n in run.numbers):
        problems.append("a number outside queue M")
    return problems


def _profile(
    children: Children,
    sizes: Sizes,
    dbs: tuple[Path, Path],
    parts: set[str],
    starts: tuple[list[Start], TapRun],
) -> tuple[list[Table], list[str]]:
    """Tables and notes on where the time goes, for the missed parts (start, tap; memory's
    figures are in the benchmark's notes either way)."""
    from bench import kioskprofile as prof

    start_db, template = dbs
    floor_starts, kiosk_taps = starts
    tables: list[Table] = []
    notes: list[str] = []
    if "start" in parts:
        floor_imports = _median(floor_starts, lambda s: s.imports)
        imports, more = prof.import_tables(children.importtime(start_db), floor_imports)
        tables += imports
        notes += more
        stats = children.profiled(children.job("start", "kiosk", start_db))
        title = "kiosk start: first-party functions by cumulative time (cProfile, one start)"
        tables.append(prof.function_table(stats, title, 1, "start"))
    if "tap" in parts:
        tables.append(prof.slowest_table(kiosk_taps.latencies, kiosk_taps.collected))
        notes.append(prof.gc_summary(kiosk_taps.latencies, kiosk_taps.collected))
        n = max(10, sizes.kiosk_taps // 4)
        db = copy_db(template, children.directory, "kiosk_profile_taps.db")
        stats = children.profiled(children.job("taps", "kiosk", db, n, sizes.kiosk_tap_warmup))
        title = f"tap: the UI thread's own time by layer (cProfile, {n} taps, per tap)"
        tables.append(prof.layer_table(stats, title, n))
        tables.append(prof.function_table(
            stats, "tap: first-party functions on the UI thread by cumulative time (cProfile, "
            "per tap)", n, "tap"))  # fmt: skip
        notes.append(
            f"tap profile: cProfile on the main thread from each lift to its number on screen "
            f"({n} taps); the issue and print workers run in threads it does not see: the UI's "
            "wait for take_ticket shows as 'waiting', the GIL time they take is spread over "
            "whatever the UI thread was running; cProfile slows Python code several times over, "
            "so read the ranking"
        )
    return tables, notes


def run(sizes: Sizes, workdir: Path, profile: bool = False) -> Result:
    """Cold start, tap to number and RSS of the kiosk against minimal Textual apps."""
    directory = workdir / "kiosk"
    directory.mkdir()
    template = build_hall(directory)
    con = sqlite3.connect(template)
    try:
        zones = int(con.execute("SELECT count(*) FROM queue").fetchone()[0])
    finally:
        con.close()
    children = Children(directory, zones)
    start_db = copy_db(template, directory, "kiosk_start.db")

    children.start("floor", start_db)  # warm-up: the OS page cache, .pyc files, the disk
    children.start("kiosk", start_db)
    kiosk_starts: list[Start] = []
    floor_starts: list[Start] = []
    load_before = os.getloadavg()[0]
    for _ in range(sizes.kiosk_starts):
        floor_starts.append(children.start("floor", start_db))
        kiosk_starts.append(children.start("kiosk", start_db))

    tap_db = copy_db(template, directory, "kiosk_taps.db")
    taps, warmup = sizes.kiosk_taps, sizes.kiosk_tap_warmup
    kiosk_taps = children.taps("kiosk", tap_db, taps, warmup)
    floor_taps = children.taps("floor", tap_db, taps, warmup)
    load_after = os.getloadavg()[0]
    issued, jobs = _issued(tap_db)
    problems = _self_check(kiosk_taps, issued, taps + warmup)

    rows = _start_rows(kiosk_starts, floor_starts)
    rows += _tap_rows(kiosk_taps, floor_taps)
    rows += _memory_rows(kiosk_starts, floor_starts, kiosk_taps, floor_taps)

    k_med = _median(kiosk_starts, lambda s: s.total)
    f_med = _median(floor_starts, lambda s: s.total)
    k_tap, f_tap = kiosk_taps.latency, floor_taps.latency
    rss_start = _median(kiosk_starts, lambda s: s.rss)
    rss_max = max(rss_start, kiosk_taps.rss_end)
    notes = [
        f"{sizes.kiosk_starts} cold starts each after one warm-up each, floor and kiosk "
        f"alternating; {sys.executable} -c, headless run_test(size={SIZE}); from just before "
        "the spawn to the first layout refresh drawn with all "
        f"{zones} zone buttons mounted (floor: its Static) — the kiosk's drawn from its "
        "snapshot, disabled and saying 请稍候, before its database code is imported; 'zones "
        "usable': the first moment all are enabled with their waiting counts (polled); "
        "1-min load average "
        f"{load_before:.2f} before, {load_after:.2f} after, on {os.cpu_count()} cores",
        f"{taps} taps on #zone-M after {warmup} warm-up, one process each: MouseDown, "
        f"{TOUCH_S * 1000:.0f} ms, MouseUp posted to the app as the terminal driver posts them, "
        "timed from the MouseUp to the first layout refresh drawn with the TicketScreen's "
        "#number and #zone; Done by pilot.click, then the next tap once the start screen is "
        "back, the button's press effect is over and the issue and print workers are done "
        "(pilot.click itself idles ≥ 20 ms per step before the click lands, so it is not the "
        "timed tap); garbage collections inside each tap seen through gc.callbacks",
        f"kiosk: fixed clock {NOW.isoformat()}, zone counts refreshed every {REFRESH_S:g} s "
        "(KioskSettings default; the refresh worker runs during the taps as in the hall), "
        f"tickets printed to the hall's preview printer; print jobs by state: {jobs}",
        "self-check: "
        + ("; ".join(problems) if problems else f"{len(issued)} tickets in the database, the "
           f"same numbers in the same order as on the screens ({issued[0]}…{issued[-1]})"),
    ]  # fmt: skip
    from bench.kioskprofile import memory_note

    notes += [
        memory_note(kiosk_taps.heap_start, kiosk_taps.heap_end, taps + warmup, "kiosk"),
        memory_note(floor_taps.heap_start, floor_taps.heap_end, taps + warmup, "floor"),
    ]
    verdicts = [
        Verdict(
            "kiosk start",
            k_med <= TARGET_START_RATIO * f_med,
            f"cold start to the first screen median {k_med:,.0f} ms vs {TARGET_START_RATIO:g} "
            f"× floor median {f_med:,.0f} ms = {TARGET_START_RATIO * f_med:,.0f} ms "
            f"(ratio {k_med / f_med:.1f}×)",
        ),
        Verdict(
            "kiosk tap",
            k_tap.p99 < TARGET_TAP_P99_MS and not problems,
            f"tap → number on screen p99 {k_tap.p99:.1f} ms (target < {TARGET_TAP_P99_MS:g} ms; "
            f"p50 {k_tap.p50:.1f} ms, max {k_tap.max:.1f} ms); floor p99 {f_tap.p99:.1f} ms"
            + (f"; SELF-CHECK FAILED: {'; '.join(problems)}" if problems else ""),
        ),
        Verdict(
            "kiosk memory",
            rss_max < TARGET_RSS_MB,
            f"RSS at first screen {rss_start:.1f} MB, after {taps + warmup} taps "
            f"{kiosk_taps.rss_end:.1f} MB (target < {TARGET_RSS_MB:g} MB); floor "
            f"{_median(floor_starts, lambda s: s.rss):.1f} MB and {floor_taps.rss_end:.1f} MB",
        ),
    ]
    parts = {"start", "tap"} if profile else set()
    parts |= {name.split()[1] for name in (v.name for v in verdicts if not v.passed)}
    extra: list[Table] = []
    if parts & {"start", "tap"}:
        extra, more = _profile(
            children, sizes, (start_db, template), parts, (floor_starts, kiosk_taps)
        )
        notes += more
    result = Result(
        "kiosk",
        "6 · kiosk: cold start, tap to number on screen, resident memory (headless Textual)",
        rows,
        notes,
        verdicts,
        floor="minimal Textual app",
    )
    result.extra = extra
    return result
