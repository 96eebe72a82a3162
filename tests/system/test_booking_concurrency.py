"""200 bookings at once for the last 10 places of a slot, by real processes on SQLite and
PostgreSQL: exactly 10 are made, the 190 others are refused as full, and the slot's count agrees
with the bookings stored."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from models.db import reading
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.booking import book, open_slots
from models.tables import Appointment, BookingSlot, OutboxMessage
from tests.conftest import NOW
from tests.support import workers
from tests.support.workers import SPAWN, start_child

pytestmark = pytest.mark.slow

THU = dt.date(2026, 11, 26)
PLACES = 50
BOOKERS = 8
EACH = 25  # 200 attempts


def test_200_bookings_for_the_last_10_places_make_exactly_10(
    engine: Engine, db_url: str, tmp_path: Path, children: list[Any]
) -> None:
    text = default_hall_path().read_text(encoding="utf-8")
    text = text.replace(
        "booking = { places = 4, slot_minutes = 15 }", f"booking = {{ places = {PLACES} }}"
    )
    store_hall(engine, parse_hall(text), text)
    for n in range(PLACES - 10):
        book(engine, item_code="M01", day=THU, start=dt.time(9, 0), name="李四",
             mobile=str(13700000000 + n), channel="web", now=NOW)  # fmt: skip
    assert open_slots(engine, item_code="M01", day=THU, now=NOW)[1].free == 10

    go = SPAWN.Barrier(BOOKERS + 1)
    outs = [tmp_path / f"book-{i}.json" for i in range(BOOKERS)]
    procs = [
        start_child(children, workers.book_many, db_url, 13800000000 + i * 1000, EACH, THU, NOW,
                    go, str(out))
        for i, out in enumerate(outs)
    ]  # fmt: skip
    go.wait(workers.START_TIMEOUT_S)
    began = time.monotonic()
    for proc in procs:
        proc.join(300)
        assert proc.exitcode == 0, f"a booking process failed (exit {proc.exitcode})"
    elapsed = time.monotonic() - began
    results = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    made = [code for r in results for code in r["codes"]]
    refused: dict[str, int] = {}
    for r in results:
        for key, n in r["refused"].items():
            refused[key] = refused.get(key, 0) + n
    print(f"\n[book/{engine.dialect.name}] 200 attempts by {BOOKERS} processes in {elapsed:.1f} s")
    assert len(made) == 10 and len(set(made)) == 10
    assert refused == {"booking_full": 190}
    with reading(engine) as session:
        stored = session.exec(select(func.count()).select_from(Appointment)).one()
        taken = session.exec(select(BookingSlot.taken).where(BookingSlot.day == THU)).one()
        told = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    assert (stored, taken, told) == (PLACES, PLACES, PLACES)
    assert open_slots(engine, item_code="M01", day=THU, now=NOW)[1].free == 0


def test_one_person_booking_from_8_processes_at_once_gets_one(
    engine: Engine, db_url: str, tmp_path: Path, children: list[Any]
) -> None:
    """The person's row is locked while their bookings are counted: the same mobile number in
    8 processes at once, for a slot with 4 free places, makes one booking."""
    go = SPAWN.Barrier(BOOKERS + 1)
    outs = [tmp_path / f"same-{i}.json" for i in range(BOOKERS)]
    procs = [
        start_child(children, workers.book_many, db_url, 13800000000, 1, THU, NOW, go, str(out))
        for out in outs
    ]
    go.wait(workers.START_TIMEOUT_S)
    for proc in procs:
        proc.join(300)
        assert proc.exitcode == 0
    results = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    assert sum(len(r["codes"]) for r in results) == 1
    assert sum(r["refused"].get("booking_limit", 0) for r in results) == BOOKERS - 1
