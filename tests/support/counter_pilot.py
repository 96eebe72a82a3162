"""Driving the counter with Textual's Pilot: an app on a settable clock, login, keys.

Every database call of the counter runs in a thread worker, so a test waits for the action to
end (the desk is no longer busy) instead of sleeping a fixed time.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import Static

from counter.app import CounterApp, CounterSettings, create_app
from counter.desk import DeskScreen
from counter.login import LoginScreen
from tests.conftest import NOW, PIN
from tests.support.kiosk_pilot import drive as run_app
from tests.support.kiosk_pilot import on_screen, until
from tests.support.waiting import WAIT_S

SIZE = (100, 30)
"""A clerk's terminal; 80×24 is checked by the snapshots too."""


@dataclass
class Clock:
    """A clock the test moves by hand."""

    at: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.at += dt.timedelta(**delta)


def counter(
    engine: Engine,
    *,
    window: int | None = 18,
    clerk: str | None = "1001",
    clock: Callable[[], dt.datetime] | None = None,
    **settings: Any,
) -> CounterApp:
    """A counter app on this database with its clock stopped at NOW (or a test's clock).

    No rating pad stands at its window unless a test says so (``rating_wait_seconds``): n
    finishes and calls at once.
    """
    settings.setdefault("rating_wait_seconds", 0)
    return create_app(
        CounterSettings(
            engine=engine, window=window, clerk=clerk, clock=clock or Clock(), **settings
        )
    )


def drive(
    app: CounterApp,
    scenario: Callable[[Pilot[None]], Awaitable[None]],
    size: tuple[int, int] = SIZE,
) -> None:
    """Run the counter headless at a clerk's terminal size and play the scenario on it."""
    run_app(app, scenario, size)


async def log_in(pilot: Pilot[Any], pin: str = PIN) -> DeskScreen:
    """Type the PIN on the login screen (window and clerk are filled in) and wait for the desk."""
    await on_screen(pilot, LoginScreen)
    await pilot.press(*pin, "enter")
    return await desk_ready(pilot)


async def desk_ready(pilot: Pilot[Any]) -> DeskScreen:
    """The desk, once it has read its window."""
    desk = await on_screen(pilot, DeskScreen)
    await until(pilot, lambda: desk.view is not None and not desk.busy, "the desk's first read")
    return desk


def shown(pilot: Pilot[Any], selector: str) -> str:
    """The plain text a Static on the current screen shows (Rich renderables included)."""
    widget = pilot.app.screen.query_one(selector, Static)
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


async def shows(pilot: Pilot[Any], selector: str, text: str, timeout: float = WAIT_S) -> str:
    """Wait until the widget's text contains ``text``; its whole text."""
    return await until(
        pilot,
        lambda: (got := shown(pilot, selector)) and text in got and got,
        f"{selector} to show {text!r}",
        timeout,
    )


def the_desk(pilot: Pilot[Any]) -> DeskScreen:
    """The desk screen (under any open dialog)."""
    desk = next(s for s in reversed(pilot.app.screen_stack) if isinstance(s, DeskScreen))
    return desk


async def press(pilot: Pilot[Any], *keys: str) -> str:
    """Press keys (on the desk, or in a dialog that then starts an action) and wait until
    the action has ended; the message the desk shows."""
    desk = the_desk(pilot)
    before = desk.actions_done
    await pilot.press(*keys)
    await until(pilot, lambda: desk.actions_done > before, f"the action of {keys}")
    await pilot.pause()
    return shown(pilot, "#message") if pilot.app.screen is desk else ""
