"""Benchmark databases: a prepared template (schema, Jinan hall, clerks logged in), copied per run.

The template is built once per ``python -m bench`` with the product's own functions (schema
upgrade, hall load, add_clerk, login), like tests/conftest.py does, then copied file by file.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine

from bench.common import NOW, percentile
from models.clerks import staff
from models.db import SQLITE_BUSY_TIMEOUT_S, make_engine, writing
from models.events import append_event
from models.hall import default_hall_path, hall_settings, read_hall_file, store_hall
from models.lookup import get_queue
from models.queue.tickets import issue
from models.schema import upgrade

PIN = "246813"
WINDOW_CLERKS = {w: f"2{w:03d}" for w in (9, 10, 11, 12, 18, 19, 20, 21)}
"""Eight windows with a clerk logged in: 9-12 serve C (12 then D), 18-19 M, 20 M then C, 21 F."""
DRAIN_SHARE = {"M": 3, "C": 4, "F": 1}
"""Waiting tickets per queue in proportion to the windows serving it, so all eight stay busy."""


def url_for(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def build_template(directory: Path) -> Path:
    """Migrate a new database, load the default hall, add and log in the eight clerks."""
    path = directory / "template.db"
    engine = make_engine(url_for(path))
    try:
        upgrade(engine)
        config, text = read_hall_file(default_hall_path())
        store_hall(engine, config, text)
        for window, code in WINDOW_CLERKS.items():
            staff.add_clerk(engine, code=code, name=f"窗口{window}", pin=PIN)
            staff.login(engine, window=window, clerk=code, pin=PIN)
    finally:
        engine.dispose()
    checkpoint(path)
    return path


def checkpoint(path: Path) -> None:
    """Fold the WAL back into the main file, so a plain file copy is the whole database."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def copy_db(template: Path, directory: Path, name: str) -> Path:
    """A fresh copy of a (checkpointed) database."""
    target = directory / name
    shutil.copyfile(template, target)
    return target


def raw_connect(path: Path) -> sqlite3.Connection:
    """A raw sqlite3 connection set up exactly as make_engine sets up the product's."""
    con = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    return con


def lift_caps(path: Path) -> None:
    """Remove the daily caps (fine for a benchmark: a long run issues more than a day's cap)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("UPDATE queue SET daily_cap = 0")
    finally:
        con.close()


def queue_ids(path: Path) -> dict[str, int]:
    """Queue prefix → id."""
    con = sqlite3.connect(path)
    try:
        return {prefix: qid for qid, prefix in con.execute("SELECT id, prefix FROM queue")}
    finally:
        con.close()


def drain_counts(total: int) -> dict[str, int]:
    """Split ``total`` waiting tickets over the drain's queues (see DRAIN_SHARE)."""
    weight = sum(DRAIN_SHARE.values())
    counts = {prefix: total * share // weight for prefix, share in DRAIN_SHARE.items()}
    counts["C"] += total - sum(counts.values())
    return counts


def prefill(engine: Engine, counts: dict[str, int]) -> list[str]:
    """Issue waiting tickets in one transaction with models.queue.tickets.issue + append_event."""
    numbers: list[str] = []
    with writing(engine) as session:
        settings = hall_settings(session)
        for prefix, count in counts.items():
            queue = get_queue(session, prefix)
            for _ in range(count):
                ticket = issue(
                    session,
                    settings=settings,
                    queue=queue,
                    moment=NOW,
                    item_code=None,
                    priority="normal",
                    cap=False,
                )
                append_event(
                    session,
                    kind="issued",
                    ticket_id=ticket.id,
                    at=NOW,
                    data={"number": ticket.number, "priority": "normal", "source": "bench"},
                )
                numbers.append(ticket.number)
    return numbers


def build_prefilled(template: Path, directory: Path, total: int) -> tuple[Path, list[str]]:
    """A copy of the template with ``total`` waiting tickets (M, C and F) for today."""
    path = copy_db(template, directory, "prefilled.db")
    engine = make_engine(url_for(path))
    try:
        numbers = prefill(engine, drain_counts(total))
    finally:
        engine.dispose()
    checkpoint(path)
    return path, numbers


def commit_latency(directory: Path, commits: int = 200) -> tuple[float, float]:
    """p50 and p99 (ms) of a one-row write transaction (WAL, FULL): what this disk's fsync costs."""
    path = directory / "fsync_probe.db"
    con = raw_connect(path)
    samples = []
    try:
        con.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
        for n in range(commits):
            start = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO probe VALUES (?)", (n,))
            con.execute("COMMIT")
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        con.close()
    return percentile(samples, 50), percentile(samples, 99)


def db_size(path: Path) -> int:
    """Bytes on disk: the database file and its WAL."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
