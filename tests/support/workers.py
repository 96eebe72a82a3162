"""Work done in child processes by tests/system/test_multiprocess.py (started with the "spawn"
context).

Each function creates its own engine from the database URL, as a kiosk or counter on another
terminal would, and reports what it got in a JSON file, so the parent can check the union.
An exception ends the child with a non-zero exit code and its traceback on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from models.db import make_engine, reading
from models.errors import NothingWaiting, Refused
from models.hall import hall_settings
from models.queue.calling import call_next
from models.queue.serving import finish
from models.queue.tickets import take_ticket

START_TIMEOUT_S = 120.0
"""How long a child waits for its siblings at the start line (spawning is slow on 2 cores)."""

TICKET_INSERT = re.compile(r"^\s*INSERT INTO ticket\b(?!_)", re.IGNORECASE)
"""The statement of a take that has bumped the day counter and inserted the ticket, no event."""
TICKET_CLAIM = re.compile(r"^\s*UPDATE ticket SET\b.*\bstatus\s*=", re.IGNORECASE | re.DOTALL)
"""The statement of a call that moves the claimed ticket to 'called', before its event."""


SPAWN = multiprocessing.get_context("spawn")
"""Children start fresh (no inherited engines or locks), as separate hosts' processes would."""


def start_child(children: list[Any], target: Any, *args: Any) -> Any:
    """Start ``target(*args)`` in a new process, kept in ``children`` to be killed at the end."""
    proc = SPAWN.Process(target=target, args=args, daemon=True)
    proc.start()
    children.append(proc)
    return proc


def write_result(path: str, payload: Any) -> None:
    """A child's result, written whole (renamed into place) for the parent to read."""
    tmp = Path(path + ".tmp")
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    tmp.replace(path)


def warm_up(engine: Any) -> None:
    """Open a connection and load the hall, so the start line measures the work only."""
    with reading(engine) as session:
        hall_settings(session)


def drain(url: str, window: int, now: dt.datetime, start: Any, out: str) -> None:
    """Counter terminal: call and finish at one window until nothing waits for it."""
    engine = make_engine(url)
    numbers: list[str] = []
    try:
        warm_up(engine)
        start.wait(START_TIMEOUT_S)
        while True:
            try:
                view = call_next(engine, window=window, now=now)
            except NothingWaiting:
                break
            numbers.append(view.number)
            done = finish(engine, window=window, now=now)
            assert done.number == view.number, (done.number, view.number)
    finally:
        engine.dispose()
    write_result(out, {"window": window, "numbers": numbers})


def take_many(url: str, queue: str, count: int, now: dt.datetime, start: Any, out: str) -> None:
    """Kiosk: try to take ``count`` tickets in a queue as fast as possible.

    Reports the numbers got and how many takes were refused because the day's cap was reached.
    """
    engine = make_engine(url)
    numbers: list[str] = []
    full = 0
    try:
        warm_up(engine)
        start.wait(START_TIMEOUT_S)
        for _ in range(count):
            try:
                numbers.append(take_ticket(engine, queue=queue, now=now, source="mp-test").number)
            except Refused as exc:
                if exc.key != "queue_full":
                    raise
                full += 1
    finally:
        engine.dispose()
    write_result(out, {"numbers": numbers, "full": full})


def _hang_after(engine: Any, pattern: re.Pattern[str], reached: Any) -> None:
    """Once ``pattern`` has run inside the transaction: tell the parent, then wait to be killed."""

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if pattern.match(statement):
            reached.set()
            time.sleep(300)


def take_and_hang(url: str, queue: str, now: dt.datetime, reached: Any) -> None:
    """A kiosk that dies (SIGKILL from the parent) in the middle of issuing a ticket."""
    engine = make_engine(url)
    _hang_after(engine, TICKET_INSERT, reached)
    take_ticket(engine, queue=queue, now=now, source="doomed")


def call_and_hang(url: str, window: int, now: dt.datetime, reached: Any) -> None:
    """A counter that dies (SIGKILL from the parent) in the middle of claiming a ticket."""
    engine = make_engine(url)
    _hang_after(engine, TICKET_CLAIM, reached)
    call_next(engine, window=window, now=now)


def take_one(url: str, queue: str, now: dt.datetime, out: str) -> None:
    """Another kiosk takes a ticket; reports the number and how long the take took."""
    engine = make_engine(url)
    try:
        warm_up(engine)
        began = time.monotonic()
        number = take_ticket(engine, queue=queue, now=now, source="survivor").number
        write_result(out, {"number": number, "seconds": time.monotonic() - began})
    finally:
        engine.dispose()


def call_one(url: str, window: int, now: dt.datetime, out: str) -> None:
    """Another counter process calls at a window; reports the number and the time it took."""
    engine = make_engine(url)
    try:
        warm_up(engine)
        began = time.monotonic()
        number = call_next(engine, window=window, now=now).number
        write_result(out, {"number": number, "seconds": time.monotonic() - began})
    finally:
        engine.dispose()


def book_many(
    url: str, first_mobile: int, count: int, day: dt.date, now: dt.datetime, start: Any, out: str
) -> None:
    """Phone pages or a partner's API: ``count`` citizens (mobiles from ``first_mobile`` on)
    book the 09:00 slot of item M01 on ``day``; reports the codes got and the refusals by key."""
    from models.queue.booking import book

    engine = make_engine(url)
    codes: list[str] = []
    refused: dict[str, int] = {}
    try:
        warm_up(engine)
        start.wait(START_TIMEOUT_S)
        for n in range(count):
            try:
                made = book(
                    engine,
                    item_code="M01",
                    day=day,
                    start=dt.time(9, 0),
                    name="张三",
                    mobile=str(first_mobile + n),
                    channel="api:mp-test",
                    now=now,
                )
                codes.append(made.code)
            except Refused as exc:
                refused[exc.key] = refused.get(exc.key, 0) + 1
    finally:
        engine.dispose()
    write_result(out, {"codes": codes, "refused": refused})
