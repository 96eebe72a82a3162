"""What a clerk sees: the login and the desk at 80×24 and at a wider 120×36 terminal.

Everything on screen is fixed: the clock (NOW plus four minutes of service), the database (the
template hall, tickets taken here). Update the SVGs under tests/apps/__snapshots__/ with
``pytest tests/apps/test_counter_snapshots.py --snapshot-update`` and look at them before
committing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from counter.dialogs import NumberDialog
from counter.login import LoginScreen
from models.db import make_engine
from models.queue.serving import mark_no_show
from models.queue.tickets import take_ticket
from tests.conftest import NOW, open_window
from tests.support.counter_pilot import Clock, counter, log_in, press
from tests.support.kiosk_pilot import on_screen, until

SIZES = pytest.mark.parametrize(
    "size", [(80, 24), (120, 36)], ids=lambda size: f"{size[0]}x{size[1]}"
)


@pytest.fixture
def hall(sqlite_url: str) -> Iterator[Engine]:
    """Window 13 (社会事务) with a green-channel item ticket, three walk-ins and one missed."""
    engine = make_engine(sqlite_url)
    take_ticket(engine, queue="D", now=NOW)
    take_ticket(engine, item="D01", priority="green", now=NOW)
    for _ in range(3):
        take_ticket(engine, queue="D", now=NOW)
    open_window(engine, 14, clerk="1002")
    from models.queue.calling import call_next

    call_next(engine, window=14, now=NOW)  # D002 (green) goes to window 14 …
    mark_no_show(engine, window=14, now=NOW)  # … and does not come: missed
    yield engine
    engine.dispose()


@SIZES
def test_login_screen(snap_compare, hall, size) -> None:
    async def shown(pilot: Pilot[None]) -> None:
        await on_screen(pilot, LoginScreen)

    app = counter(hall, window=13, clerk="1001", poll_seconds=3600)
    assert snap_compare(app, terminal_size=size, run_before=shown)


@SIZES
def test_desk_serving_an_item(snap_compare, hall, size) -> None:
    clock = Clock(at=NOW + dt.timedelta(minutes=20))

    async def serve(pilot: Pilot[None]) -> None:
        await log_in(pilot)
        await pilot.press("c")
        await on_screen(pilot, NumberDialog)
        await press(pilot, "tab", *"D002", "enter")  # the missed green-channel ticket, by number
        await press(pilot, "s")
        clock.advance(minutes=13)  # past 80 % of the item's 15 minutes: amber
        clock_line = pilot.app.screen.query_one("#clock")
        await until(pilot, lambda: clock_line.has_class("clock-amber"), "the amber clock")
        await pilot.pause()

    app = counter(hall, window=13, clerk="1001", clock=clock, poll_seconds=3600)
    assert snap_compare(app, terminal_size=size, run_before=serve)
