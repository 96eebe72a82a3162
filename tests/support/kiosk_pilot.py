"""Driving the kiosk with Textual's Pilot: an app on a fixed clock, polling waits, taps, text.

Every database and printer call of the kiosk runs in a thread worker, so a test never sleeps a
fixed time for a result: :func:`until` polls a condition (up to WAIT_S, generous for a loaded
machine; a passing wait ends as soon as its condition holds) and fails naming what it waited
for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, func
from sqlmodel import col, select
from textual.app import App
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Static

from appkit.watch import ChangeWatch
from kiosk.app import KioskApp, KioskSettings, create_app
from kiosk.screens import TicketScreen
from kiosk.staff import StaffPinScreen
from models.db import reading
from models.hall import default_hall_path, parse_hall, store_hall
from models.tables import Event, Ticket
from tests.conftest import NOW
from tests.support.fake_printer import FakePrinter
from tests.support.waiting import WAIT_S

T = TypeVar("T")
SIZE = (120, 40)
"""A kiosk's touch screen; 80×24 is the small terminal the snapshots check too."""


def kiosk(engine: Engine, *, at: dt.datetime = NOW, **settings: Any) -> KioskApp:
    """A kiosk app on this database with its clock stopped at ``at``."""
    return create_app(KioskSettings(engine=engine, clock=lambda: at, **settings))


def drive(
    app: App[None],
    scenario: Callable[[Pilot[None]], Awaitable[None]],
    size: tuple[int, int] = SIZE,
) -> None:
    """Run an app (any of ours) headless and play the scenario on it (sync tests: no asyncio
    plugin)."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await scenario(pilot)

    asyncio.run(main())


async def until(
    pilot: Pilot[Any], condition: Callable[[], T | None], what: str, timeout: float = WAIT_S
) -> T:
    """Poll the condition while the app runs; its first truthy value, or fail after timeout
    (WAIT_S by default: never pass a tighter one, a loaded machine is slow)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except NoMatches:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        await pilot.pause(0.02)


async def polled(pilot: Pilot[Any], watch: ChangeWatch[Any], times: int = 3) -> None:
    """Wait until the change watch has polled ``times`` more times and what they posted is
    handled: "nothing happened" is then checked after polls, not after a guess of time."""
    target = watch.polls + times
    await until(pilot, lambda: watch.polls >= target, f"{times} polls of the change mark")
    await pilot.pause()


async def settled(pilot: Pilot[Any]) -> None:
    """Wait until what is pending is handled and the workers it started have ended: for
    "nothing happened" after a tap, without guessing a time."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def placed(pilot: Pilot[Any], selector: str) -> Widget | None:
    """The widget on the current screen once it is laid out (has a size), else None."""
    found = pilot.app.screen.query(selector)
    if not found:
        return None
    widget = found.first()
    return widget if widget.region.area > 0 else None


async def tap(pilot: Pilot[Any], selector: str) -> None:
    """Wait until the widget is on screen, scroll it into view, and click it."""
    widget = await until(pilot, lambda: placed(pilot, selector), f"{selector} on screen")
    widget.scroll_visible(animate=False)
    await pilot.pause()
    assert await pilot.click(selector), f"the click missed {selector}"


async def on_screen(pilot: Pilot[Any], kind: type[T], timeout: float = WAIT_S) -> T:
    """Wait until the current screen is of this kind and mounted (composed), and return it.

    A pushed screen is current at once but composes a moment later, under load even later."""
    app = pilot.app

    def current() -> T | None:
        screen = app.screen
        return screen if isinstance(screen, kind) and screen.is_mounted else None

    screen = await until(
        pilot, current, f"{kind.__name__} (now {type(app.screen).__name__})", timeout
    )
    await pilot.pause()
    return screen


def shown(pilot: Pilot[Any], selector: str) -> str:
    """The plain text a Static or Button on the current screen shows."""
    widget = pilot.app.screen.query_one(selector)
    if isinstance(widget, Button):
        return widget.label.plain
    assert isinstance(widget, Static), widget
    return widget.visual.plain  # type: ignore[attr-defined]


def drawn(pilot: Pilot[Any], selector: str) -> list[str]:
    """The lines a widget on the current screen draws inside its border, blank ones dropped."""
    widget = pilot.app.screen.query_one(selector)
    lines = [widget.render_line(y).text.strip() for y in range(widget.size.height)]
    return [line for line in lines if line]


async def shows(pilot: Pilot[Any], selector: str, text: str, timeout: float = WAIT_S) -> str:
    """Wait until the widget's text contains ``text``; its whole text."""
    return await until(
        pilot,
        lambda: (got := shown(pilot, selector)) and text in got and got,
        f"{selector} to show {text!r}",
        timeout,
    )


async def walk_in(pilot: Pilot[None], zone: str) -> TicketScreen:
    """Tap a zone and wait for the ticket screen."""
    await tap(pilot, f"#zone-{zone}")
    return await on_screen(pilot, TicketScreen)


async def printed(pilot: Pilot[None], screen: TicketScreen) -> str:
    """Wait for the print job to end (done or failed); the state."""
    return await until(
        pilot,
        lambda: screen.print_state not in ("pending", "sent") and screen.print_state,
        "the print job to end",
    )


async def connected(pilot: Pilot[Any]) -> None:
    """Wait until the kiosk has its database (F12 and the buttons wait for it too)."""
    await until(pilot, lambda: getattr(pilot.app, "ready", False), "the database to answer")


async def staff_login(pilot: Pilot[None], clerk: str, pin: str) -> None:
    """F12, then clerk number and PIN typed on the keyboard."""
    await connected(pilot)
    await pilot.press("f12")
    await on_screen(pilot, StaffPinScreen)
    await tap(pilot, "#clerk")
    await pilot.press(*clerk)
    await pilot.press("enter")  # on to the PIN field
    await pilot.press(*pin)
    await tap(pilot, "#staff-ok")


def appointments_csv(tmp_path: Path) -> Path:
    """Slots on NOW's day (check-in opens 30 min before the slot, closes 15 min after)."""
    path = tmp_path / "appointments.csv"
    path.write_text(
        "code,queue,item,date,start,end,name\n"
        "12345678,A,A01,2026-11-25,10:00,10:30,张三丰\n"
        "EARLY001,B,,2026-11-25,11:00,11:30,李四\n"
        "LATE0001,C,,2026-11-25,09:00,09:30,王五\n"
        "USED0001,D,,2026-11-25,10:00,10:30,赵六\n",
        encoding="utf-8",
    )
    return path


def ticket_count(engine: Engine) -> int:
    with reading(engine) as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


def events(engine: Engine, kind: str) -> list[dict[str, Any]]:
    """The data of every event of one kind, oldest first."""
    with reading(engine) as session:
        rows = session.exec(
            select(Event.data).where(Event.kind == kind).order_by(col(Event.seq))
        ).all()
    return [json.loads(row) for row in rows]


def load_printers(engine: Engine, printers: str) -> None:
    """Store the Jinan hall with these printer and kiosk tables instead of its own.

    The windows of the hall file name "counter-preview", so it stays defined."""
    text = default_hall_path().read_text("utf-8")
    text = text[: text.index("[[printer]]")]
    text += '[[printer]]\nname = "counter-preview"\nkind = "preview"\n\n' + printers
    store_hall(engine, parse_hall(text), text)


def kiosk_prints_on(engine: Engine, printer: FakePrinter) -> None:
    """Kiosk K1 prints on this fake network printer, with no backup."""
    load_printers(
        engine,
        f'[[printer]]\nname = "kiosk-net"\nkind = "network"\n'
        f'address = "127.0.0.1:{printer.port}"\nprofile = "TM-T88V"\ntimeout_s = 1.0\n\n'
        '[[kiosk]]\nid = "K1"\nprinter = "kiosk-net"\n',
    )
