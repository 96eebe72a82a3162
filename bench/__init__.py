"""Benchmarks of the queue core on SQLite, each against a raw sqlite3 floor from the same run.

1. take: take_ticket latency and throughput (target: p99 ≤ 3 × the floor's p99);
2. call: call_next + finish at one window (report only);
3. drain: eight windows in eight processes drain the queue (target: ≥ 500 calls/s, no duplicate);
4. status: hall_status with a year of history, 1,000,000 tickets (target: < 10 ms).

Run ``python -m bench`` (``make bench``); see bench/__main__.py for the options.
"""

BENCHMARKS = ("take", "call", "drain", "status", "profile")
"""Names for ``--only``; the profile runs by itself after a missed target."""
