"""Benchmarks of the queue core on SQLite, the ticket printer and the kiosk app, each against a
floor from the same run (raw sqlite3; python-escpos for printing; a minimal Textual app).

1. take: take_ticket latency and throughput (target: p99 ≤ 3 × the floor's p99);
2. call: call_next + finish at one window (report only);
3. drain: eight windows in eight processes drain the queue (target: ≥ 500 calls/s, no duplicate);
4. status: hall_status with a year of history, 1,000,000 tickets (target: < 10 ms);
5. print: the kiosk ticket as ESC/POS bytes, against python-escpos's naive Dummy ticket (targets:
   native ≤ 1,024 bytes and render p99 < 5 ms, raster ≤ 16 KB, on an 80 mm printer);
6. kiosk: the kiosk app headless, against a minimal Textual app (targets: cold start to the first
   screen ≤ 1.5 × the floor, tap to number on screen p99 < 100 ms, RSS < 120 MB);
7. board: a call at a counter process until the display board shows it, against a minimal
   Textual poller (targets: p95 < 1 s, idle CPU < 2 % of one core);
8. counter: the counter app in a terminal, against a minimal Textual app, and "next" with 30
   counters polling, against no pollers (targets: key to screen p99 < 100 ms, idle CPU < 2 % of
   one core, call-next p99 < 50 ms);
9. yearreport: ``report`` over a year of history, ≈ 1.1 M tickets, by queue, day and window,
   against a raw GROUP BY counting the year's tickets per queue (target: < 2 s);
10. mixed: 8 and 16 counter processes press "next" while 2 kiosks take (a fifth green channel)
   on PostgreSQL, against the same rows done with raw psycopg (targets: no refusal, no
   deadlock, every take served; calls/s and call p99 reported);
11. cli: whole processes of ``mashangban take``, ``call`` and ``--help``, against a Python
   process that imports SQLAlchemy's ORM and Typer and inserts one row (target: each ≤ 1.5 ×
   the floor);
12. serve: the hall server with 1,000 phone and 10 board streams; a call by another process until
   each changed page hears of it, against a bare asyncio SSE echo (targets: p95 < 1 s, idle CPU
   < 5 % of one core; memory reported);
13. book: book a slot through the core (rules, locks, outbox, event), against the same rows
   written with raw sqlite3 (target: p99 ≤ 5 × the floor's p99; bookings per second reported).

Run ``python -m bench`` (``make bench``); see bench/__main__.py for the options.
"""

BENCHMARKS = (
    "take", "call", "drain", "status", "print", "kiosk", "board", "counter", "yearreport",
    "mixed", "cli", "serve", "book", "profile",
)  # fmt: skip
"""Names for ``--only``; the profile runs by itself after a missed target."""
