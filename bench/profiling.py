"""Where the time goes: cProfile over take, call_next + finish and status, in-process.

Runs for the missed targets (or everything with ``--profile``). Two tables per operation: own
time by layer (SQLite C calls, the COMMIT, SQLAlchemy, SQLModel, pydantic, models/ code, the
rest), and the models/ functions by cumulative time per operation. cProfile slows Python code more
than C code, so shares of Python layers read high; the ranking is what counts. The first function
to touch the database in a transaction also carries the connection checkout and BEGIN; a
@contextmanager (models.db.writing) counts two calls per use.
"""

from __future__ import annotations

import cProfile
import gc
import pstats
from collections.abc import Callable
from pathlib import Path

from rich.table import Table

from bench.common import NOW, Result
from bench.databases import Databases
from bench.halldb import copy_db, lift_caps, url_for
from models.db import make_engine
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket
from models.views.status import hall_status

WINDOW = 18
QUEUES = ("A", "B", "C", "D", "E", "F", "M")
Key = tuple[str, int, str]


def _layer(key: Key) -> str:
    filename, _, name = key
    if filename == "~":
        if "sqlite3.Connection" in name and "commit" in name:
            return "COMMIT (sqlite3, fsync)"
        if "sqlite3" in name:
            return "SQLite statements (sqlite3 C)"
        return "builtins"
    for marker, layer in (
        ("/sqlalchemy/", "SQLAlchemy"),
        ("/sqlmodel/", "SQLModel"),
        ("/pydantic", "pydantic"),
        ("/models/", "models/ (own code)"),
        ("/bench/", "bench loop"),
    ):
        if marker in filename:
            return layer
    return "other Python (stdlib)"


def _short(key: Key) -> str:
    filename, line, name = key
    if "/models/" in filename:
        return f"models/{filename.split('/models/', 1)[1]}:{line} {name}"
    return f"{Path(filename).name}:{line} {name}" if filename != "~" else name


def _profile(op: Callable[[], object], n: int) -> pstats.Stats:
    for _ in range(10):
        op()
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        op()
    profiler.disable()
    return pstats.Stats(profiler)


def _tables(title: str, op: Callable[[], object], n: int) -> list[Table]:
    raw = _profile(op, n).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    layers: dict[str, float] = {}
    for key, value in raw.items():
        layers[_layer(key)] = layers.get(_layer(key), 0.0) + value[2]
    by_layer = Table(
        title=f"{title}: own time by layer (cProfile, per operation)", title_justify="left"
    )
    for column in ("layer", "ms / op", "share"):
        by_layer.add_column(column, justify="left" if column == "layer" else "right")
    for layer, seconds in sorted(layers.items(), key=lambda kv: -kv[1]):
        by_layer.add_row(layer, f"{seconds / n * 1000:.3f}", f"{seconds / total:.0%}")
    by_layer.add_row("total", f"{total / n * 1000:.3f}", "100%")
    ours = [(k, v) for k, v in raw.items() if "/models/" in k[0]]
    ours.sort(key=lambda kv: -kv[1][3])
    by_function = Table(
        title=f"{title}: models/ functions by cumulative time", title_justify="left"
    )
    for column in ("function", "calls / op", "cum ms / op", "share of op"):
        by_function.add_column(column, justify="left" if column == "function" else "right")
    for key, value in ours[:14]:
        by_function.add_row(
            _short(key),
            f"{value[1] / n:.1f}",
            f"{value[3] / n * 1000:.3f}",
            f"{value[3] / total:.0%}",
        )
    executes = sum(
        v[1] for k, v in raw.items() if k[0] == "~" and "execute" in k[2] and "sqlite3" in k[2]
    )
    by_function.caption = f"sqlite3 execute calls per op: {executes / n:.1f}"
    return [by_layer, by_function]


def run(dbs: Databases, parts: list[str]) -> Result:
    """Profile what was missed: take (as benchmark 1), call + finish (2, 3), status (4)."""
    n = dbs.sizes.profile_ops
    result = Result("profile", "where the time goes (cProfile, in-process)")
    result.notes.append(
        "cProfile inflates Python-heavy layers; the first function to touch the database in a "
        "transaction (hall_settings in take and call_next) also carries the connection checkout "
        "and BEGIN IMMEDIATE; models.db.writing (a @contextmanager) counts 2 calls per use"
    )
    if "take" in parts:
        take_path = copy_db(dbs.template, dbs.workdir, "profile_take.db")
        lift_caps(take_path)
        engine = make_engine(url_for(take_path))
        turn = iter(range(10**9))
        try:

            def take() -> None:
                take_ticket(engine, queue=QUEUES[next(turn) % len(QUEUES)], now=NOW)

            result.extra += _tables("take_ticket", take, n)
        finally:
            engine.dispose()
        result.notes.append(f"take: {n} takes round the seven queues on a fresh hall")
    if "call" in parts:
        engine = make_engine(url_for(copy_db(dbs.prefilled[0], dbs.workdir, "profile_call.db")))
        try:

            def pair() -> None:
                call_next(engine, window=WINDOW, now=NOW)
                finish(engine, window=WINDOW, now=NOW)

            result.extra += _tables("call_next + finish", pair, n)
        finally:
            engine.dispose()
        result.notes.append(f"call: {n} call + finish at window {WINDOW}, prefilled database")
    if "status" in parts:
        engine = make_engine(url_for(dbs.history[0]))
        try:
            result.extra += _tables("hall_status", lambda: hall_status(engine, now=NOW), n)
        finally:
            engine.dispose()
        result.notes.append(f"status: {n} calls on the {dbs.sizes.history:,}-ticket database")
    return result
