"""Benchmark 11: the `mashangban` command's start, whole processes, against a minimal Typer one.

Three commands, each a fresh process timed from just before the spawn to its exit, median of
the runs: ``mashangban take M --json`` (on a copy of the template hall, caps lifted),
``mashangban call --window 18 --json`` (each run on a fresh copy of the prefilled hall, copied
before the clock starts, so every run calls the same ticket from the same queue) and
``mashangban --help``. The floor, in the same run and interleaved one by one with them: a
``python -c`` process that imports SQLAlchemy's ORM and Typer, builds a one-command Typer app
and runs it, which inserts one row into a table of the same kind of SQLite file (WAL,
synchronous FULL, BEGIN IMMEDIATE, the product's busy timeout) through an ORM session and
commits. Target: each command ≤ 1.5 × the floor. Python's own start (``python -c pass``) and
the floor's imports alone are shown for scale. When a target is missed, one ``python -X
importtime`` run of that command says which imports the time goes to.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import NOW, Result, Row, Sizes, Verdict
from bench.halldb import copy_db, lift_caps
from bench.kioskprofile import Module, parse_importtime
from models.db import SQLITE_BUSY_TIMEOUT_S

TARGET_RATIO = 1.5
CALL_WINDOW = 18
ROOT = Path(__file__).resolve().parent.parent
FLOOR_TABLE = "bench_floor"

FLOOR_CODE = f"""
import sys

import typer
from sqlalchemy import create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "{FLOOR_TABLE}"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str]


app = typer.Typer(add_completion=False)


@app.command()
def take(path: str) -> None:
    engine = create_engine(
        "sqlite:///" + path, connect_args={{"timeout": {SQLITE_BUSY_TIMEOUT_S}}}
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        for pragma in ("journal_mode=WAL", "busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}",
                       "synchronous=FULL", "foreign_keys=ON"):
            dbapi_connection.execute("PRAGMA " + pragma)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    with Session(engine) as session:
        session.add(Note(at="{NOW.isoformat()}"))
        session.commit()
    print('{{"ok": true}}')


app()
"""
"""The floor: SQLAlchemy's ORM and Typer imported, one row inserted and committed."""


def _product() -> list[str]:
    """The console script beside this interpreter (as installed), else ``python -m``."""
    script = Path(sys.executable).parent / "mashangban"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mashangban"]


class Spawner:
    """Runs and times whole processes with one environment."""

    def __init__(self, workdir: Path) -> None:
        self.env = dict(os.environ)
        self.env.pop("MASHANGBAN_DB", None)
        self.env["MASHANGBAN_NOW"] = NOW.isoformat()  # the hall is open at this moment
        self.env["COLUMNS"] = "100"  # --help lays out for a fixed width, not the terminal's
        self.env["HOME"] = str(workdir / "home")  # no user data dir of the machine's
        (workdir / "home").mkdir(exist_ok=True)

    def run(self, command: list[str], *, expect: int = 0) -> tuple[float, str]:
        """Seconds from just before the spawn to the exit, and stderr."""
        start = time.perf_counter()
        done = subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        seconds = time.perf_counter() - start
        if done.returncode != expect:
            raise RuntimeError(
                f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}"
                f"\n{done.stdout[-1000:]}"
            )
        return seconds, done.stderr


def _floor_db(template: Path, workdir: Path) -> Path:
    """A copy of the template hall with the floor's one-table: the same kind of SQLite file."""
    path = copy_db(template, workdir, "cli_floor.db")
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute(f"CREATE TABLE {FLOOR_TABLE} (id INTEGER PRIMARY KEY, at TEXT NOT NULL)")
    finally:
        con.close()
    return path


def _fresh_copy(source: Path, target: Path) -> None:
    """A fresh copy of a (checkpointed) database, the last copy's WAL and index gone with it."""
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(source, target)


def run(sizes: Sizes, workdir: Path, template: Path, prefilled: Path) -> Result:
    """Time take, call and --help as whole processes against the floor, medians of the runs."""
    spawn = Spawner(workdir)
    product = _product()
    take_db = copy_db(template, workdir, "cli_take.db")
    lift_caps(take_db)
    floor_db = _floor_db(template, workdir)
    call_db = workdir / "cli_call.db"
    floor = [sys.executable, "-c", FLOOR_CODE, str(floor_db)]
    commands = {
        "take": [*product, "--db", str(take_db), "take", "M", "--json"],
        "call": [*product, "--db", str(call_db), "call", "--window", str(CALL_WINDOW), "--json"],
        "help": [*product, "--help"],
    }
    bare = [sys.executable, "-c", "pass"]
    imports = [sys.executable, "-c", "import sqlalchemy.orm, typer"]
    times: dict[str, list[float]] = {name: [] for name in [*commands, "floor", "bare", "imports"]}
    for i in range(sizes.cli_runs + 1):  # the first round warms the disk cache and .pyc files
        _fresh_copy(prefilled, call_db)
        for name, command in [*commands.items(), ("floor", floor), ("bare", bare),
                              ("imports", imports)]:  # fmt: skip
            seconds, _ = spawn.run(command)
            if i:
                times[name].append(seconds)
    ms = {name: statistics.median(values) * 1000 for name, values in times.items()}
    labels = {
        "take": "mashangban take M --json",
        "call": f"mashangban call --window {CALL_WINDOW} --json",
        "help": "mashangban --help",
    }
    rows: list[Row] = []
    verdicts: list[Verdict] = []
    missed: list[str] = []
    for name, label in labels.items():
        limit = TARGET_RATIO * ms["floor"]
        rows.append(
            Row(f"{label}, median", ms[name], ms["floor"], "ms",
                f"≤ {TARGET_RATIO:g}× floor = {limit:.0f} ms", digits=0)
        )  # fmt: skip
        passed = ms[name] <= limit
        if not passed:
            missed.append(name)
        verdicts.append(
            Verdict(
                f"cli {name}",
                passed,
                f"{label}: median {ms[name]:.0f} ms vs {TARGET_RATIO:g} × floor "
                f"{ms['floor']:.0f} ms = {limit:.0f} ms (ratio {ms[name] / ms['floor']:.2f}×)",
            )
        )
    rows += [
        Row(f"{label}, slowest run", max(times[name]) * 1000, max(times["floor"]) * 1000, "ms",
            digits=0)
        for name, label in labels.items()
    ]  # fmt: skip
    rows += [
        Row("python -c pass (scale)", ms["bare"], None, "ms", digits=0),
        Row("python -c 'import sqlalchemy.orm, typer' (scale)", ms["imports"], None, "ms",
            digits=0),
    ]  # fmt: skip
    notes = [
        f"{sizes.cli_runs} runs each after one warm-up round, interleaved one by one (take, call, "
        "--help, floor, …); wall time from just before the spawn to the exit",
        f"take: {' '.join(product[-1:])} take M on a copy of the template hall (caps lifted); "
        f"call: window {CALL_WINDOW} (clerk logged in) on a fresh copy of the prefilled hall "
        "each run, copied before the clock starts",
        "floor: python -c — import typer and sqlalchemy.orm, a one-command Typer app that inserts "
        f"one row through an ORM Session into {FLOOR_TABLE} of a copy of the same hall file "
        "(WAL, synchronous FULL, BEGIN IMMEDIATE) and commits",
    ]
    for name in missed:
        _fresh_copy(prefilled, call_db)
        notes += _where_time_goes(spawn, commands[name], name)
    return Result("cli", "11 · the mashangban command's start (whole processes)", rows, notes,
                  verdicts, floor="python: ORM + Typer + one insert")  # fmt: skip


def _where_time_goes(spawn: Spawner, command: list[str], name: str) -> list[str]:
    """The heaviest import trees of one run under ``python -X importtime``."""
    argv = command[1:] if command[0] == sys.executable else command
    if not argv or Path(argv[0]).name == "mashangban":
        argv = ["-m", "mashangban", *argv[1:]]
    _, stderr = spawn.run([sys.executable, "-X", "importtime", *argv])
    roots = parse_importtime(stderr)
    modules: list[Module] = [*roots, *(child for root in roots for child in root.children)]
    top = sorted(modules, key=lambda m: -m.cumulative_us)[:10]
    listed = "; ".join(f"{m.name} {m.cumulative_us / 1000:.0f} ms" for m in top)
    return [f"{name} missed its target; its heaviest imports (-X importtime, cumulative): {listed}"]
