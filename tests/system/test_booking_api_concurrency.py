"""200 bookings at once through the hall server's API (8 client processes, one `mashangban
serve`) for the last 10 places of a slot, on SQLite and PostgreSQL: exactly 10 are made (201),
the 190 others are refused as full (409 ``booking_full``, both languages), and the slot's count
agrees with the bookings stored."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from models.apikeys import add_key
from models.db import reading
from models.hall import default_hall_path, parse_hall, store_hall
from models.queue.booking import book, open_slots
from models.tables import Appointment
from tests.conftest import NOW
from tests.support import apiclients
from tests.support.webserver import WebServer
from tests.support.workers import SPAWN, START_TIMEOUT_S, start_child

pytestmark = pytest.mark.slow

THU = dt.date(2026, 11, 26)
PLACES = 50
CLIENTS = 8
EACH = 25  # 200 attempts


@pytest.fixture
def server(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[WebServer]:
    text = default_hall_path().read_text(encoding="utf-8")
    text = text.replace(
        "booking = { places = 4, slot_minutes = 15 }", f"booking = {{ places = {PLACES} }}"
    )
    store_hall(engine, parse_hall(text), text)
    web = WebServer(db_url, now=NOW.isoformat(), log=tmp_path / "server.log")
    web.start()
    try:
        yield web
    finally:
        web.stop()


def test_200_bookings_through_the_api_for_the_last_10_places_make_exactly_10(
    engine: Engine, server: WebServer, tmp_path: Path, children: list[Any]
) -> None:
    for n in range(PLACES - 10):
        book(engine, item_code="M01", day=THU, start=dt.time(9, 0), name="李四",
             mobile=str(13700000000 + n), channel="web", now=NOW)  # fmt: skip
    assert open_slots(engine, item_code="M01", day=THU, now=NOW)[1].free == 10
    _view, key = add_key(engine, name="wechat", scopes=["book"])
    go = SPAWN.Barrier(CLIENTS + 1)
    outs = [tmp_path / f"api-{i}.json" for i in range(CLIENTS)]
    procs = [
        start_child(children, apiclients.post_bookings, server.url, key,
                    13800000000 + i * 1000, EACH, THU.isoformat(), go, str(out))
        for i, out in enumerate(outs)
    ]  # fmt: skip
    go.wait(START_TIMEOUT_S)
    began = time.monotonic()
    for proc in procs:
        proc.join(300)
        assert proc.exitcode == 0, f"a client process failed (exit {proc.exitcode})"
    elapsed = time.monotonic() - began
    results = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    made = [code for r in results for code in r["codes"]]
    refused: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for r in results:
        for key_, n in r["refused"].items():
            refused[key_] = refused.get(key_, 0) + n
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    print(
        f"\n[book api/{engine.dialect.name}] 200 attempts by {CLIENTS} clients in {elapsed:.1f} s"
    )
    assert len(made) == 10 and len(set(made)) == 10
    assert refused == {"booking_full": 190} and statuses == {"409": 190}
    with reading(engine) as session:
        stored = session.exec(select(func.count()).select_from(Appointment)).one()
        channels = set(session.exec(select(Appointment.channel)).all())
    assert stored == PLACES and channels == {"web", "api:wechat"}
    assert open_slots(engine, item_code="M01", day=THU, now=NOW)[1].free == 0
