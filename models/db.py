"""Engines and transactions for SQLite (one host) and PostgreSQL (many hosts).

SQLite: WAL, a busy timeout, synchronous FULL, and every transaction opened with
``BEGIN IMMEDIATE`` so two writers never both read a stale "next ticket" (pysqlite's deferred
transactions would). Read-only work asks for a deferred transaction with :func:`reading`.
PostgreSQL: READ COMMITTED; claims use ``FOR UPDATE SKIP LOCKED`` (see :mod:`models.queue.calling`).

The lock order. On PostgreSQL, writers lock rows, and two transactions that take the same two
locks in opposite orders deadlock. Every write transaction therefore takes its row locks in
this one order, and never waits for a lock of an earlier rank while holding a later one:

1. the one row an operation is about, of a kind no later rank locks: an appointment being
   checked in or cancelled, a case being picked up, a rectification (``FOR UPDATE``), a
   window's rows; a booking locks its person rows (keys ascending), then its slot row (a cancel:
   its appointment, then its slot row), and takes no other lock before the chain head
   (:mod:`models.queue.booking`);
2. day counter rows, ``(business_date, queue_id)`` ascending, all before any ticket row: a take
   or check-in bumps its queue's counter (:func:`models.queue.ticketrows.next_seq`); "next"
   locks the counters of all the window's queues first
   (:func:`models.queue.ticketrows.lock_counters`), so the priority run is read and written
   under that lock; a transfer locks the counter of the queue
   it issues into, a requeue the counter of the ticket's queue, before their ticket;
3. ticket rows: the window's current ticket or one found by its number (``FOR UPDATE``), a
   newly inserted ticket;
4. the event chain head, last (:func:`models.events.append_event` flushes first; case numbering
   locks it too), held until commit.

One exception, safe because it never waits: "next" with finish claims its new ticket after the
finished event has locked the chain head, with ``SKIP LOCKED`` under the counters it holds.
SQLite needs none of this (``BEGIN IMMEDIATE`` takes the one database lock first). A deadlock or
serialization failure that still happens is retried, whole, by :func:`retry_conflicts`.
"""

from __future__ import annotations

import functools
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session

from models import settings
from models.errors import DatabaseError
from models.private import private_dir, private_file

SQLITE_BUSY_TIMEOUT_S = 30.0
_BEGIN_MODE = "mashangban_begin"
CONFLICT_ATTEMPTS = 8
"""Runs of an operation's transaction when PostgreSQL aborts it (deadlock, serialization)."""
CONFLICT_PAUSE_S = 0.02
_CONFLICT_STATES = ("40P01", "40001")  # deadlock_detected, serialization_failure


def default_db_path() -> Path:
    """The SQLite file used when no database is named: in the user data directory."""
    return Path(user_data_dir("mashangban", appauthor=False)) / "mashangban.db"


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` (a path or a SQLAlchemy URL), ``MASHANGBAN_DB`` or the default into a URL.

    Raises DatabaseError for a malformed URL or an unsupported database.
    """
    value = db or settings.DB.get() or str(default_db_path())
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().absolute()}"
    try:
        url = make_url(value)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseError(
            "db_bad_url",
            url=value,
            hint="use a file path, sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
        ) from exc
    if url.drivername in ("postgres", "postgresql"):
        # libpq and hosting providers write postgres://; SQLAlchemy 2 no longer takes the alias.
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(
            "db_unsupported", backend=backend, hint="mashangban runs on SQLite or PostgreSQL"
        )
    return url.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded SQLite database."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, pool_size: int = 5, create: bool = True) -> Engine:
    """Create an engine for a database path or URL (see :func:`resolve_url`); nothing is opened.

    For a SQLite file, with ``create`` (setting a database up: ``init``, tests) the file and its
    directory are created and must be writable; without it (every command and app that works
    on a hall) a missing file is refused and nothing is created. DatabaseError otherwise.
    """
    url = resolve_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database or "", create=create)
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10},
    )


def _sqlite_engine(url: str, path: str, *, create: bool) -> Engine:
    if path and path != ":memory:":
        if not create and not Path(path).exists():
            # SQLite would create an empty file on connect, which a later init takes for the
            # hall's database: a mistyped --db must leave nothing behind.
            raise DatabaseError("db_missing", path=path)
        _check_writable(Path(path))
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control away from pysqlite; "begin" below opens them ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_MODE, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _check_writable(path: Path) -> None:
    # Owner-only: a folder it creates is 0700, a new database file 0600 (its -wal and -shm
    # take the file's mode), so other local users cannot copy the PIN hashes.
    directory = path.parent
    try:
        private_dir(directory)
    except OSError as exc:
        raise DatabaseError("db_dir", path=directory, reason=exc.strerror) from exc
    target = path if path.exists() else directory
    if not os.access(target, os.W_OK):
        raise DatabaseError(
            "db_readonly", path=target, hint="choose another path with --db or MASHANGBAN_DB"
        )
    try:
        private_file(path)
    except OSError as exc:
        raise DatabaseError("db_open", detail=f"{path}: {exc.strerror}") from exc


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success.

    A busy database that stays busy past the timeout raises DatabaseError; any other error rolls
    the whole transaction back, so nothing is half-written.
    """
    with _translate_errors(), Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only transaction (deferred on SQLite, so readers never wait for writers)."""
    with _translate_errors():
        conn = engine.connect().execution_options(**{_BEGIN_MODE: "DEFERRED"})
        try:
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            conn.close()


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        raise describe_operational(exc) from exc


def describe_operational(exc: OperationalError) -> DatabaseError:
    """Translate a driver's operational error into words for staff."""
    if getattr(exc.orig, "sqlstate", None) in _CONFLICT_STATES:
        # Before the text test: a deadlock's message says "blocked by process …".
        return DatabaseError("db_conflict")
    text = str(exc.orig) if exc.orig is not None else str(exc)
    first = text.strip().splitlines()[0] if text.strip() else repr(exc)
    if "locked" in text or "busy" in text:
        return DatabaseError("db_busy")
    if "unable to open" in text or "readonly" in text:
        return DatabaseError("db_open", detail=first)
    if "connect" in text.lower():
        return DatabaseError("db_connect", detail=first)
    return DatabaseError("db_error", detail=first)


def retry_busy(func: Any, *, attempts: int = 3, pause_s: float = 0.2) -> Any:
    """Call ``func()`` again when the database reports busy; for apps that must not give up."""
    for attempt in range(attempts):
        try:
            return func()
        except DatabaseError as exc:
            if exc.key != "db_busy" or attempt == attempts - 1:
                raise
            time.sleep(pause_s * (attempt + 1))
    raise AssertionError("unreachable")


_P = ParamSpec("_P")
_R = TypeVar("_R")


def retry_conflicts(operation: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a write operation (one transaction) again when PostgreSQL aborted it as a deadlock
    victim or a serialization failure: nothing of it was stored, so running it whole again is
    safe. Gives up after :data:`CONFLICT_ATTEMPTS` runs with DatabaseError("db_conflict")."""

    @functools.wraps(operation)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                return operation(*args, **kwargs)
            except DatabaseError as exc:
                if exc.key != "db_conflict" or attempt == CONFLICT_ATTEMPTS:
                    raise
                # A random pause, growing, so the two victims of one deadlock do not meet again.
                time.sleep(random.uniform(0, CONFLICT_PAUSE_S * attempt))
        raise AssertionError("unreachable")

    return run
