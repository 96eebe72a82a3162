"""Bookings through the hall server's API (``POST /api/v1/bookings``, key scope ``book``), for
benchmark 13 (``python -m bench --only book``): one ``mashangban serve`` process on its own copy
of the prepared hall, one client on one keep-alive connection booking back to back, as a partner
channel's backend would. Compared with the in-process ``book`` of the same run."""

from __future__ import annotations

import http.client
import json
import sys
import time
from pathlib import Path

from bench.common import NOW, Latency, Row
from bench.halldb import copy_db, url_for
from bench.serve import Process, _ready, free_port
from models.apikeys import add_key
from models.db import make_engine
from models.hall import default_hall_path, parse_hall, store_hall

START_TIMEOUT_S = 60.0


def measure(
    template: Path, workdir: Path, *, bookings: int, warmup: int, items: list[str]
) -> tuple[Latency, float]:
    """Latency of each booking through the API (after ``warmup``) and bookings per second."""
    path = copy_db(template, workdir, "book_api.db")
    engine = make_engine(url_for(path))
    text = default_hall_path().read_text(encoding="utf-8")
    text = text.replace("booking = { places = 4, slot_minutes = 15 }", "booking = { places = 999 }")
    store_hall(engine, parse_hall(text), text)
    _view, key = add_key(engine, name="bench", scopes=["book"])
    from models.queue.booking import bookable_days, open_slots

    days = bookable_days(engine, item_code=items[0], now=NOW)
    starts = [s.start for s in open_slots(engine, item_code=items[0], day=days[0], now=NOW)]
    engine.dispose()
    port = free_port()
    argv = [sys.executable, "-m", "mashangban", "--db", url_for(path), "serve", "--port", str(port)]
    server = Process(argv, workdir / "book_api_server.log")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _ready(port, "/healthz"):
            server.alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start within {START_TIMEOUT_S} s")
            time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        samples: list[float] = []
        for n in range(bookings + warmup):
            item, day = items[n % len(items)], days[(n // len(items)) % len(days)]
            start = starts[(n // (len(items) * len(days))) % len(starts)]
            body = json.dumps({"item": item, "day": day.isoformat(), "start": f"{start:%H:%M}",
                               "name": "张三", "mobile": str(15000000000 + n)})  # fmt: skip
            began = time.perf_counter()
            conn.request("POST", "/api/v1/bookings", body=body, headers=headers)
            answer = conn.getresponse()
            answer.read()
            took = time.perf_counter() - began
            if answer.status != 201:
                raise RuntimeError(f"booking {n} through the API: HTTP {answer.status}")
            if n >= warmup:
                samples.append(took)
        conn.close()
    finally:
        server.stop()
    return Latency.of(samples), len(samples) / sum(samples)


def rows(api: Latency, api_rate: float, inproc: Latency, inproc_rate: float) -> list[Row]:
    """The API's rows, the in-process figures in the floor column."""
    return [
        Row("book via the API p50 (floor col: in-process)", api.p50, inproc.p50, "ms"),
        Row("book via the API p99 (floor col: in-process)", api.p99, inproc.p99, "ms"),
        Row(
            "bookings/s via the API, one client (floor col: in-process)",
            api_rate,
            inproc_rate,
            "bookings/s",
            digits=0,
        ),
    ]
