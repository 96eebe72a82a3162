"""Benchmark 13: book a slot (models.queue.booking.book) against a raw sqlite3 floor.

Both run on their own copy of the same prepared hall (queue M bookable with 999 places a slot),
one booker each, back to back and strictly alternating (one product booking, one floor booking),
as in the take benchmark. Bookings go round the 23 马上办 items, the five bookable days and the
day's 30 slots, each by a new mobile number. The floor does the rows a booking must write under
the lock with raw SQL: BEGIN IMMEDIATE, the slot row's upsert, read and increment, the
appointment row, the outbox row, the chain head read and update and the event row, COMMIT.
Target: p99 ≤ 5 × the floor's p99 (the core also checks the rules, locks the person row, hashes
the mobile number with the hall's key and builds the masked view); bookings per second reported.
"""

from __future__ import annotations

import datetime as dt
import gc
import secrets
import sqlite3
import time
from pathlib import Path

from bench.common import NOW, Latency, Result, Row, Sizes, Verdict, latency_rows
from bench.halldb import copy_db, url_for
from models.db import SQLITE_BUSY_TIMEOUT_S, make_engine
from models.events import verify_chain
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.booking import book, bookable_days, open_slots

TARGET_P99_RATIO = 5.0
ITEMS = [f"M{n:02d}" for n in range(1, 24)]


def run(sizes: Sizes, workdir: Path, template: Path) -> Result:
    """Measure booking latency and throughput against the floor's."""
    product_path = copy_db(template, workdir, "book_product.db")
    floor_path = copy_db(template, workdir, "book_floor.db")
    engine = make_engine(url_for(product_path))
    text = default_hall_path().read_text(encoding="utf-8")
    text = text.replace("booking = { places = 4, slot_minutes = 15 }", "booking = { places = 999 }")
    store_hall(engine, parse_hall(text), text)
    days = bookable_days(engine, item_code="M01", now=NOW)
    starts = [s.start for s in open_slots(engine, item_code="M01", day=days[0], now=NOW)]
    floor = RawBooker(floor_path)
    product_s: list[float] = []
    floor_s: list[float] = []
    total = sizes.takes + sizes.take_warmup
    try:
        for n in range(total):
            item, day = ITEMS[n % len(ITEMS)], days[(n // len(ITEMS)) % len(days)]
            start = starts[(n // (len(ITEMS) * len(days))) % len(starts)]
            mobile = str(13000000000 + n)
            if n == sizes.take_warmup:
                gc.collect()
            began = time.perf_counter()
            book(engine, item_code=item, day=day, start=start, name="张三", mobile=mobile,
                 channel="web", now=NOW)  # fmt: skip
            middle = time.perf_counter()
            floor.book(day, start, mobile)
            ended = time.perf_counter()
            if n >= sizes.take_warmup:
                product_s.append(middle - began)
                floor_s.append(ended - middle)
        chain = verify_chain(engine)
    finally:
        engine.dispose()
        floor.close()
    p, f = Latency.of(product_s), Latency.of(floor_s)
    rate_p, rate_f = len(product_s) / sum(product_s), len(floor_s) / sum(floor_s)
    limit = TARGET_P99_RATIO * f.p99
    rows = latency_rows("book", p, f, target=f"≤ {TARGET_P99_RATIO:g}× floor = {limit:.2f} ms")
    rows += [
        Row("throughput, one booker back to back", rate_p, rate_f, "bookings/s", digits=0),
    ]
    from bench import bookapi

    api, rate_api = bookapi.measure(
        template, workdir, bookings=len(product_s) // 2, warmup=sizes.take_warmup, items=ITEMS
    )
    rows += bookapi.rows(api, rate_api, p, rate_p)
    notes = [
        f"{len(product_s)} bookings each after {sizes.take_warmup} warm-up, alternating "
        "product/floor one by one; 23 items × 5 days × 30 slots in turn, a new mobile each",
        "product event chain " + ("verified" if chain.broken_at is None else "BROKEN"),
        "the product also checks the name, mobile, calendar, slot, person limit and no-show "
        "block, locks the person row, and hashes the mobile with the hall's key",
        f"through the API: {api.n} "
        "bookings by one client on one keep-alive HTTP connection to `mashangban serve` (key "
        "scope book), its own copy of the hall; the floor column there is the in-process book",
    ]
    passed = p.p99 <= limit and chain.broken_at is None
    verdict = Verdict(
        "book",
        passed,
        f"book p99 {p.p99:.2f} ms vs {TARGET_P99_RATIO:g} × floor p99 {f.p99:.2f} ms "
        f"= {limit:.2f} ms; {rate_p:.0f} bookings/s (floor {rate_f:.0f}/s)",
    )
    return Result("book", "13 · book a slot (SQLite file)", rows, notes, [verdict])


class RawBooker:
    """The rows of a booking written with raw sqlite3, in one BEGIN IMMEDIATE transaction."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            self.con.execute("PRAGMA " + pragma)
        self.queue_id = self.con.execute("SELECT id FROM queue WHERE prefix = 'M'").fetchone()[0]

    def close(self) -> None:
        self.con.close()

    def book(self, day: dt.date, start: dt.time, mobile: str) -> None:
        c = self.con
        at = NOW.isoformat()
        c.execute("BEGIN IMMEDIATE")
        c.execute(
            "INSERT INTO booking_slot (pool, day, start, taken) VALUES ('Q:M', ?, ?, 0) "
            "ON CONFLICT DO NOTHING",
            (day.isoformat(), start.isoformat()),
        )
        slot_id, taken = c.execute(
            "SELECT id, taken FROM booking_slot WHERE pool = 'Q:M' AND day = ? AND start = ?",
            (day.isoformat(), start.isoformat()),
        ).fetchone()
        c.execute("UPDATE booking_slot SET taken = ? WHERE id = ?", (taken + 1, slot_id))
        cur = c.execute(
            "INSERT INTO appointment (code, queue_id, item_code, slot_date, slot_start, slot_end, "
            "name_masked, status, imported_at, token, channel, pool, name, mobile, mobile_masked, "
            "booked_at) VALUES (?, ?, 'M01', ?, ?, ?, '张*', 'booked', ?, ?, 'web', 'Q:M', '张三', "
            "?, ?, ?)",
            (secrets.token_hex(4).upper(), self.queue_id, day.isoformat(), start.isoformat(),
             start.isoformat(), at, secrets.token_urlsafe(24), mobile, mobile[:3] + "****", at),
        )  # fmt: skip
        c.execute(
            "INSERT INTO outbox (kind, appointment_id, recipient, data, state, attempts, "
            "next_attempt_at, last_error, created_at) VALUES ('booking_made', ?, ?, '{}', "
            "'pending', 0, ?, '', ?)",
            (cur.lastrowid, mobile, at, at),
        )
        seq, prev = c.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
        c.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq + 1, "x" * 64))
        c.execute(
            "INSERT INTO event (seq, at, kind, data, prev_hash, hash) "
            "VALUES (?, ?, 'booked', '{}', ?, ?)",
            (seq + 1, at, prev, "x" * 64),
        )
        c.execute("COMMIT")
