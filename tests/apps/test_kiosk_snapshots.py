"""What a citizen sees: the start, items, keypad and ticket screens (walk-in, green channel,
appointment), the closed hall and the staff menu, at a kiosk's 120×40 and at 80×24.

Everything on screen is fixed: the clock (NOW), the database (the template hall plus three
waiting tickets taken here), and the QR tokens (``secrets.token_hex`` in models.queue.tickets is
replaced by a counter, so the QR code is the same every run). Update the SVGs under
tests/apps/__snapshots__/ with ``pytest tests/apps/test_kiosk_snapshots.py --snapshot-update``
and look at them before committing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

import models.queue.tickets
from kiosk.app import KioskApp
from kiosk.screens import CheckinScreen, ItemsScreen, TicketScreen
from kiosk.staff import StaffMenuScreen
from models.db import make_engine
from models.queue.appointments import import_appointments
from models.queue.tickets import take_ticket
from tests.conftest import NOW
from tests.support.kiosk_pilot import connected, kiosk, on_screen, placed, shown, tap, until

SIZES = pytest.mark.parametrize(
    "size", [(80, 24), (120, 40)], ids=lambda size: f"{size[0]}x{size[1]}"
)


@pytest.fixture
def hall(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The template hall with two tickets waiting in M and one in A, fixed tokens throughout."""
    monkeypatch.setenv("MASHANGBAN_PREVIEW_DIR", str(tmp_path / "preview"))
    serial = itertools.count(1)
    fixed = SimpleNamespace(token_hex=lambda _n=8: f"{next(serial):016x}")
    monkeypatch.setattr(models.queue.tickets, "secrets", fixed)
    engine = make_engine(sqlite_url)
    for queue in ("M", "M", "A"):
        take_ticket(engine, queue=queue, now=NOW)
    yield engine
    engine.dispose()


def app_for(engine: Engine) -> KioskApp:
    """The kiosk on NOW's clock; no zone refresh while the snapshot is taken."""
    return kiosk(engine, refresh_seconds=3600)


async def zones_shown(pilot: Pilot[None]) -> None:
    await connected(pilot)
    await until(pilot, lambda: placed(pilot, "#zone-F"), "the zone buttons")
    await pilot.pause()


async def mouse_away(pilot: Pilot[None]) -> None:
    """No hover highlight where the last tap was."""
    await pilot.hover(None, offset=(0, 0))
    await pilot.pause()


@SIZES
def test_start_screen(snap_compare, hall, size) -> None:
    assert snap_compare(app_for(hall), terminal_size=size, run_before=zones_shown)


@SIZES
def test_items_screen(snap_compare, hall, size) -> None:
    async def open_items(pilot: Pilot[None]) -> None:
        await zones_shown(pilot)
        await tap(pilot, "#items")
        screen = await on_screen(pilot, ItemsScreen)
        await until(pilot, lambda: len(screen.query(".item")) == 23, "the 23 items")
        await mouse_away(pilot)

    assert snap_compare(app_for(hall), terminal_size=size, run_before=open_items)


@SIZES
def test_ticket_screen(snap_compare, hall, size) -> None:
    async def take_m(pilot: Pilot[None]) -> None:
        await zones_shown(pilot)
        await tap(pilot, "#zone-M")
        screen = await on_screen(pilot, TicketScreen)
        assert screen.view.number == "M003" and screen.view.token == f"{4:016x}"
        await until(pilot, lambda: screen.print_state == "done", "the ticket to print")
        await mouse_away(pilot)

    assert snap_compare(app_for(hall), terminal_size=size, run_before=take_m)


async def refused_code(pilot: Pilot[None]) -> None:
    """The keypad after a refused code: every key still shows its character."""
    await zones_shown(pilot)
    await tap(pilot, "#checkin")
    await on_screen(pilot, CheckinScreen)
    await pilot.press(*"AP1009", "enter")
    await until(pilot, lambda: "AP1009" in str(shown(pilot, "#checkin-error")), "the refusal")
    await mouse_away(pilot)


@SIZES
def test_keypad_after_a_refusal(snap_compare, hall, size) -> None:
    assert snap_compare(app_for(hall), terminal_size=size, run_before=refused_code)


def _book_ap1001(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bookings.csv"
    path.write_text(
        "code,queue,item,date,start,end,name\nAP1001,M,M08,2026-11-25,10:00,10:30,张三丰\n",
        encoding="utf-8",
    )
    import_appointments(engine, path, now=NOW)


@SIZES
def test_ticket_screen_for_an_appointment(snap_compare, hall, tmp_path, size) -> None:
    """An appointment for an item: its name, its materials, and 完成 on screen at 80×24."""
    _book_ap1001(hall, tmp_path)

    async def check_in(pilot: Pilot[None]) -> None:
        await zones_shown(pilot)
        await tap(pilot, "#checkin")
        await on_screen(pilot, CheckinScreen)
        await pilot.press(*"AP1001", "enter")
        screen = await on_screen(pilot, TicketScreen)
        await until(pilot, lambda: screen.print_state == "done", "the ticket to print")
        await mouse_away(pilot)

    assert snap_compare(app_for(hall), terminal_size=size, run_before=check_in)


def test_ticket_screen_for_the_green_channel(snap_compare, hall) -> None:
    async def green(pilot: Pilot[None]) -> None:
        await zones_shown(pilot)
        await tap(pilot, "#green")
        await tap(pilot, "#zone-A")
        screen = await on_screen(pilot, TicketScreen)
        await until(pilot, lambda: screen.print_state == "done", "the ticket to print")
        await mouse_away(pilot)

    assert snap_compare(app_for(hall), terminal_size=(80, 24), run_before=green)


def test_staff_menu(snap_compare, hall) -> None:
    async def menu(pilot: Pilot[None]) -> None:
        await zones_shown(pilot)
        pilot.app.push_screen(StaffMenuScreen())
        await on_screen(pilot, StaffMenuScreen)
        await mouse_away(pilot)

    assert snap_compare(app_for(hall), terminal_size=(80, 24), run_before=menu)


@SIZES
def test_closed_hall(snap_compare, hall, size) -> None:
    """A Saturday: every zone says 今天不办公 whole, the header says when the hall opens."""
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=NOW.tzinfo)

    async def closed(pilot: Pilot[None]) -> None:
        await zones_shown(pilot)
        await until(pilot, lambda: "Next opening" in shown(pilot, "#hall"), "the next opening")
        await pilot.pause()

    app = kiosk(hall, at=saturday, refresh_seconds=3600)
    assert snap_compare(app, terminal_size=size, run_before=closed)
